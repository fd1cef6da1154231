# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ddb_backup_global_optspecs
    string join \n region= role-arn= external-id= target-concurrency= profile= endpoint-url= o/output= wide v/verbose q/quiet log-format= color= max-attempts= retry-backoff= connect-timeout= read-timeout= rate-multiplier= h/help V/version
end

function __fish_ddb_backup_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ddb_backup_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ddb_backup_using_subcommand
    set -l cmd (__fish_ddb_backup_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "list" -d 'List backups of tables, newest first'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "describe" -d 'Show everything DescribeBackup knows about one backup, or a table\'s settings record'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "backup" -d 'Create on-demand backups of one table or a fleet'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "prune" -d 'Delete old backups made by ddb-backup according to a retention policy'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "restore" -d 'Restore a table from a backup or to a point in time'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "run" -d 'The daily job: back up every table of a config (or the command line), then prune it'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "check" -d 'Verify that tables have a recent AVAILABLE backup (for monitoring and CI gates)'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "export" -d 'Export tables to S3 (the archive tier), full or incremental'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "import" -d 'Create a new table from an export in S3'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "verify" -d 'Restore drill: restore each table\'s newest backup to a scratch table, check it, drop it'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "report" -d 'Evidence and cost at a glance, as a table, JSON, CSV or one HTML page'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "config" -d 'Work with the config file'
complete -c ddb-backup -n "__fish_ddb_backup_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l type -d 'Backup type to list (the API\'s default is user)' -r -f -a "user\t''
system\t''
aws-backup\t''
all\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l status -d 'Only backups in this status' -r -f -a "creating\t''
available\t''
deleted\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l since -d 'Only backups created at or after this time (RFC 3339, a date such as 2026-11-01 for its start in UTC, or a duration back from now such as 7d)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l until -d 'Only backups created before this time (RFC 3339, a date for its start in UTC, or a duration back from now such as 36h)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l name-prefix -d 'Only backups whose name starts with this' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l bucket -d 'The S3 bucket of the exports (in the table\'s region)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l prefix -d 'Key prefix under the bucket (exports go to PREFIX/ACCOUNT/REGION/TABLE/TIME/)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l bucket-owner -d 'The account that owns the bucket, when another account\'s (e.g. a vault account)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l exports -d 'List the exports in S3 (from ddb-backup\'s manifests) instead of backups'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand list" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l backup-name -d 'With --table: describe the table\'s backup of this name instead of its settings' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -s t -l table -d 'Instead of a backup: this table\'s settings record (the settings a restore does not carry), as restore --copy-settings and --replace read it; save it with --output json and apply it later with restore --settings-from' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l skip-setting -d 'With --table: do not read this setting (repeatable; names as in restore --skip-setting)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l latest -d 'With --table: describe the table\'s newest AVAILABLE backup instead of its settings'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand describe" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l name -d 'Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22). prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l timeout -d 'How long --wait waits before reporting backups still CREATING' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l skip-if-recent -d 'Skip a table whose newest AVAILABLE or CREATING backup made by ddb-backup is younger than this' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l concurrency -d 'Tables backed up at the same time (CreateBackup stays under 50 calls/s whatever this is)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l wait -d 'Wait until every new backup is AVAILABLE'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l dry-run -d 'Show what would be created; create nothing'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand backup" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-last -d 'Keep the N newest backups' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-hourly -d 'Keep the newest backup of each of the N newest hours that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-daily -d 'Keep the newest backup of each of the N newest days that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-weekly -d 'Keep the newest backup of each of the N newest ISO weeks that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-monthly -d 'Keep the newest backup of each of the N newest months that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-yearly -d 'Keep the newest backup of each of the N newest years that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-within -d 'Keep every backup younger than DURATION, measured from the newest backup (the "retention days" N of the AWS blog post\'s Lambda is --keep-within Nd)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-within-hourly -d 'Keep one backup per hour within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-within-daily -d 'Keep one backup per day within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-within-weekly -d 'Keep one backup per ISO week within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-within-monthly -d 'Keep one backup per month within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l keep-within-yearly -d 'Keep one backup per year within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l min-keep -d 'Always keep the N newest AVAILABLE backups made by ddb-backup [default: 2]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l require-recent -d 'Delete nothing for a table unless --min-keep of its backups are younger than DURATION (backups that stopped arriving are reported as a failure instead)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l max-delete -d 'Delete nothing for a table whose plan would delete more than N backups' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l timezone -d 'Timezone for hourly/daily/weekly/monthly/yearly buckets (IANA name) [default: UTC]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l name -d 'Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22). prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l bucket -d 'The S3 bucket of the exports (in the table\'s region)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l prefix -d 'Key prefix under the bucket (exports go to PREFIX/ACCOUNT/REGION/TABLE/TIME/)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l bucket-owner -d 'The account that owns the bucket, when another account\'s (e.g. a vault account)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l include-unmanaged -d 'Also consider USER backups not made by ddb-backup (names not matching --name)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l dry-run -d 'Show the plan; delete nothing'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l exports -d 'Prune the exports in S3 (those with a ddb-backup manifest) instead of backups'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand prune" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s c -l config -d 'TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l backup-arn -d 'Restore from this backup: its ARN, or its id as `list` shows it' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l backup-name -d 'The backup of each source table with this name' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l before -d 'The newest AVAILABLE backup of each source table created before TIME (RFC 3339 or a duration back from now)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l to-time -d 'Point-in-time restore of each source table to TIME (RFC 3339, or for one table a duration back from now; a fleet needs RFC 3339 so that a rerun resumes to the same point)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l target -d 'Name of the new table (must not exist; one source table)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l target-region -d 'Region to restore into (default: the backup\'s region); needs an SSE choice, default is used if none. Without --target, each table keeps its name (or --target-template\'s)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l target-template -d 'The new tables\' names: {table} is the source table\'s name, shortened so that a name stays within 255 characters ({date} and {timestamp} are known too, but a name without them is what lets a rerun resume)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l max-restores -d 'A fleet restore: at most this many restores in progress (requested, not ACTIVE yet) in each account and region (DynamoDB\'s default quota is 50; it is adjustable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l billing-mode -d 'Billing mode of the new table' -r -f -a "pay-per-request\t''
provisioned\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l read-capacity -d 'Read capacity units (with --billing-mode provisioned)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l write-capacity -d 'Write capacity units (with --billing-mode provisioned)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l exclude-gsi -d 'Leave out this global secondary index (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l exclude-lsi -d 'Leave out this local secondary index (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l sse -d 'Encryption of the new table' -r -f -a "default\t'An AWS owned key (DynamoDB\'s default encryption)'
kms\t'A KMS key: --sse-kms-key, or the AWS managed key'
none\t'Send no encryption override: the backup\'s settings apply'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l sse-kms-key -d 'KMS key id, ARN or alias for --sse kms' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l settings-from -d 'Apply a saved settings record (a record, or the JSON report of restore --replace or --copy-settings) to the new table: the way back when the source table is gone' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l skip-setting -d 'Neither read nor apply this setting (repeatable): capacity, table_class, stream, ttl, point_in_time_recovery, tags, resource_policy, kinesis_streaming_destinations, contributor_insights, auto_scaling, alarms, deletion_protection' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l timeout -d 'How long --wait waits' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l report -d 'Also write the JSON report to this file (atomically); --replace writes it with the settings record before the table is deleted, and again at the end, failed or not' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l latest -d 'The newest AVAILABLE backup of each source table'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l latest-restorable -d 'Point-in-time restore of each source table to its latest restorable time'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l no-settings -d 'A fleet restore: do not apply the source tables\' settings records to the new tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l verify -d 'A fleet restore: count each new table\'s items (a Scan) and compare with the backup\'s item count, as verify does'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l replace -d 'Restore into the source table\'s own name: safety backup, delete, restore, re-apply its settings (the table is unavailable between the deletion and ACTIVE; --help says more)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l yes -d 'Confirm --replace without typing the table name (required when not on a terminal)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l disable-deletion-protection -d 'Let --replace turn off the table\'s deletion protection (it is turned on again after)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l no-gsi -d 'Restore without any global secondary index'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l no-lsi -d 'Restore without any local secondary index'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l copy-settings -d 'Copy the source table\'s settings record to the new table: capacity as it is now, table class, stream, TTL, point-in-time recovery with its period, tags, resource policy, Kinesis destinations, contributor insights, auto scaling, deletion protection (alarms with --copy-alarms); each is read back and reported'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l copy-alarms -d 'With a new name: copy the source table\'s CloudWatch alarms, each with its TableName dimension rewritten and the new table\'s name appended to its name, actions disabled'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l copy-alarm-actions -d 'With --copy-alarms: keep the copied alarms\' actions enabled'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l wait -d 'Wait until the new table is ACTIVE (and settings are copied)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l dry-run -d 'Show what would be restored; restore nothing'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand restore" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s c -l config -d 'TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l name -d 'Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22). prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l timeout -d 'How long --wait waits [default: 30min]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l skip-if-recent -d 'Skip the backup of a table whose newest backup made by ddb-backup is younger than this' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l concurrency -d 'Tables backed up at the same time [default: 16]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-last -d 'Keep the N newest backups' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-hourly -d 'Keep the newest backup of each of the N newest hours that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-daily -d 'Keep the newest backup of each of the N newest days that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-weekly -d 'Keep the newest backup of each of the N newest ISO weeks that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-monthly -d 'Keep the newest backup of each of the N newest months that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-yearly -d 'Keep the newest backup of each of the N newest years that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-within -d 'Keep every backup younger than DURATION, measured from the newest backup (the "retention days" N of the AWS blog post\'s Lambda is --keep-within Nd)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-within-hourly -d 'Keep one backup per hour within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-within-daily -d 'Keep one backup per day within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-within-weekly -d 'Keep one backup per ISO week within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-within-monthly -d 'Keep one backup per month within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l keep-within-yearly -d 'Keep one backup per year within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l min-keep -d 'Always keep the N newest AVAILABLE backups made by ddb-backup [default: 2]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l require-recent -d 'Delete nothing for a table unless --min-keep of its backups are younger than DURATION (backups that stopped arriving are reported as a failure instead)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l max-delete -d 'Delete nothing for a table whose plan would delete more than N backups' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l timezone -d 'Timezone for hourly/daily/weekly/monthly/yearly buckets (IANA name) [default: UTC]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l metrics-file -d 'Write Prometheus textfile-collector metrics here (atomically: temp file + rename)' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l report -d 'Also write the JSON report to this file (atomically)' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l lock-file -d 'Hold this lock file for the run; a second overlapping run exits at once (code 1)' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l wait -d 'Wait until every new backup is AVAILABLE before pruning'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l include-unmanaged -d 'Also consider USER backups not made by ddb-backup (names not matching --name)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l dry-run -d 'Show what would be backed up and pruned; change nothing'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand run" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s c -l config -d 'TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l name -d 'Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22). prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l max-age -d 'A table fails unless its newest AVAILABLE backup is younger than this (with a config: for every policy, over its [policy.check] max_age) [required without a config, or for a policy without [policy.check] max_age]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l min-count -d 'A table also fails unless it has at least N AVAILABLE backups (with a config: over [policy.check] min_count) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l policy -d 'With --config: check only this policy\'s tables (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l max-export-age -d 'A table also fails unless its newest completed export in --bucket is younger than this' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l bucket -d 'The S3 bucket of the exports (in the table\'s region)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l prefix -d 'Key prefix under the bucket (exports go to PREFIX/ACCOUNT/REGION/TABLE/TIME/)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l bucket-owner -d 'The account that owns the bucket, when another account\'s (e.g. a vault account)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l any-backup -d 'Count every AVAILABLE backup (any name, USER, SYSTEM or AWS_BACKUP), not only ddb-backup\'s'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand check" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l bucket -d 'The S3 bucket of the exports (in the table\'s region)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l prefix -d 'Key prefix under the bucket (exports go to PREFIX/ACCOUNT/REGION/TABLE/TIME/)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l bucket-owner -d 'The account that owns the bucket, when another account\'s (e.g. a vault account)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l sse-kms-key -d 'Encrypt the export with this KMS key (ID, alias or ARN) instead of S3\'s own keys' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l timeout -d 'How long --wait waits before reporting exports still in progress' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l incremental -d 'Export the changes since the newest export made by ddb-backup (a full one when there is none)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l wait -d 'Wait until every export is COMPLETED'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand export" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l bucket -d 'The S3 bucket of the exports (in the table\'s region)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l prefix -d 'Key prefix under the bucket (exports go to PREFIX/ACCOUNT/REGION/TABLE/TIME/)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l bucket-owner -d 'The account that owns the bucket, when another account\'s (e.g. a vault account)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -s t -l table -d 'The exported table (its exports are found under the bucket\'s layout)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l export-time -d 'The newest completed export at or before this time (RFC 3339, or a duration back such as 7d)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l manifest -d 'This export\'s manifest (s3://BUCKET/KEY/ddb-backup-export.json)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l target -d 'The new table to create (it must not exist)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l timeout -d 'How long --wait waits for ImportTable' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l latest -d 'The table\'s newest completed export (the default)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l wait -d 'Wait until the table is imported, every increment applied and its settings set'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand import" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s c -l config -d 'TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l name -d 'Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22). prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l backup-arn -d 'Drill this backup (its ARN, or its id as `list` shows it) instead of each table\'s newest one made by ddb-backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l timeout -d 'How long a scratch table may take to become ACTIVE' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l concurrency -d 'Drills at once per target (each is a restore: DynamoDB\'s default quota is 50 restores in progress per account and region)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l metrics-file -d 'Prometheus textfile metrics of the drills (last success, restore time, items), atomic' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l dry-run -d 'Show which backup each table\'s drill would restore; restore nothing'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand verify" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s c -l config -d 'TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s t -l table -d 'A table name or ARN (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l match -d 'Tables whose name matches a glob such as \'orders-*\' (repeatable; over ListTables; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l tag -d 'Tables carrying this tag (repeatable: all given tags must match; this tool\'s own scratch and staging tables are skipped)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l exclude -d 'Leave out tables whose name matches this glob (repeatable)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l name -d 'Backup name template; placeholders {table}, {timestamp} (UTC, 20261122T030000Z), {date} (2026-11-22). prune and check only consider backups whose names fit this template [default: ddb-backup.{table}.{timestamp}]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-last -d 'Keep the N newest backups' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-hourly -d 'Keep the newest backup of each of the N newest hours that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-daily -d 'Keep the newest backup of each of the N newest days that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-weekly -d 'Keep the newest backup of each of the N newest ISO weeks that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-monthly -d 'Keep the newest backup of each of the N newest months that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-yearly -d 'Keep the newest backup of each of the N newest years that have one' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-within -d 'Keep every backup younger than DURATION, measured from the newest backup (the "retention days" N of the AWS blog post\'s Lambda is --keep-within Nd)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-within-hourly -d 'Keep one backup per hour within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-within-daily -d 'Keep one backup per day within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-within-weekly -d 'Keep one backup per ISO week within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-within-monthly -d 'Keep one backup per month within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l keep-within-yearly -d 'Keep one backup per year within DURATION of the newest backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l min-keep -d 'Always keep the N newest AVAILABLE backups made by ddb-backup [default: 2]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l require-recent -d 'Delete nothing for a table unless --min-keep of its backups are younger than DURATION (backups that stopped arriving are reported as a failure instead)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l max-delete -d 'Delete nothing for a table whose plan would delete more than N backups' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l timezone -d 'Timezone for hourly/daily/weekly/monthly/yearly buckets (IANA name) [default: UTC]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l html -d 'Also write the report as one self-contained HTML page here (atomically)' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l metrics-file -d 'The metrics file `run` or `verify` writes: each table\'s last restore drill' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l price-per-gb-month -d 'US dollars per GB-month of on-demand backup storage, instead of the price table\'s (e.g. a negotiated price, or a region the table does not know)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l max-age -d 'A table fails unless its newest AVAILABLE backup made by ddb-backup is younger than this' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l min-count -d 'A table fails unless it has at least N AVAILABLE backups made by ddb-backup' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l min-streak-days -d 'A table fails unless its streak (days in a row with a backup) is at least N days' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l all-tables -d 'Every table in the region, but this tool\'s own scratch and staging tables'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l include-unmanaged -d 'Also consider USER backups not made by ddb-backup (names not matching --name)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand report" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -f -a "check" -d 'Validate a config file and show which table gets which policy'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and not __fish_seen_subcommand_from check init" -f -a "init" -d 'Print a commented starter config for the tables of the account and region'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -s c -l config -d 'TOML config file with defaults and policies (see examples/ddb-backup.toml). Refused if every user may change it (world-writable, or in a world-writable directory that is not sticky); warned about if its group or another user than you and root may' -r -F
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l offline -d 'Do not list tables: check the file alone (globs and tags stay unresolved)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand config; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l region -d 'AWS region(s): comma-separated or repeated, each a target of the run (e.g. --region us-east-1,eu-west-1) [default: the SDK\'s chain: AWS_REGION, the profile, instance metadata]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l role-arn -d 'Assume this IAM role (STS AssumeRole from the base credentials) and work in its account; repeat for several accounts: each role × region is a target (e.g. --role-arn arn:aws:iam::222222222222:role/ddb-backup)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l external-id -d 'External ID to pass when assuming --role-arn roles (when their trust policy asks for one)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l target-concurrency -d 'How many targets (account × region) are worked on at once [default: all]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l profile -d 'Named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles work)' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l endpoint-url -d 'DynamoDB endpoint (e.g. a local emulator); AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL are honoured too. Plain http:// to a host other than this machine is warned about (requests and answers travel unencrypted): use https' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -s o -l output -d 'Output format of the data on stdout [default: table on a terminal, json otherwise]' -r -f -a "table\t'A human-readable table (the default on a terminal)'
json\t'One JSON document (the default when stdout is not a terminal)'
ndjson\t'One JSON object per line'
csv\t'Comma-separated values, one row per table, for spreadsheets (report only)'"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l log-format -d 'Log format on stderr' -r -f -a "text\t''
json\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l color -d 'Colours in tables and logs (NO_COLOR is respected under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l max-attempts -d 'Attempts per AWS call: throttling, server errors, timeouts and busy tables/backups are retried with jittered exponential backoff, every attempt paced under the documented rates' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l retry-backoff -d 'First retry backoff; doubles on each retry, capped at 20s' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l connect-timeout -d 'Time allowed to open a connection to DynamoDB' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l read-timeout -d 'Time allowed for DynamoDB to answer one request' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l rate-multiplier -d 'Scale the client-side pacing under DynamoDB\'s documented per-operation rate limits (1 = 95% of the documented rates; 0 = no pacing; only endpoints with other limits need this) [default: 1]' -r
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -l wide -d 'Tables at full length: every column, no cell cut [default: tables fit the terminal\'s width, COLUMNS, or 80 columns when neither is known]'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -s v -l verbose -d 'More log detail on stderr (-v debug, -vv debug for the AWS SDK too, -vvv trace). On a terminal one step less: warnings and the result by default, -v for the INFO lines (printed above the progress bar)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -s q -l quiet -d 'No diagnostics: no log lines or progress, only errors. Read commands (list, describe, check, config check, report) and dry runs still print their data; commands that change something print nothing when they succeed, and without -o a failed `run` prints a short summary on stderr instead of its report (for cron: mail only on failure)'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ddb-backup -n "__fish_ddb_backup_using_subcommand completions" -s V -l version -d 'Print version'
