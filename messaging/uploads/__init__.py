"""Private file uploads for secure conversations: streamed in, scanned, stored privately, served only
after the caller's access check. The conversations use `messaging.uploads.api` and nothing else."""
