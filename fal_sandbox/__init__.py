"""A local fal-compatible server: the tests' fal, and the offline default of the demo."""
