"""A stand-in for the AutoGPT platform's block SDK, used when the platform is not importable."""
