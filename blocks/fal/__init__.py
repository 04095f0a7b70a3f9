"""fal.ai video blocks. Importing this package registers every block with the platform's loader."""
