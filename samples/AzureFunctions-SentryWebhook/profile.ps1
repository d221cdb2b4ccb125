# Runs once per worker: the module ships in the app's Modules folder (copy out/SentryRunbook there).
Import-Module SentryRunbook
