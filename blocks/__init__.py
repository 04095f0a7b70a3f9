"""fal.ai video models as AutoGPT-style blocks. `blocks.fal` holds the blocks, `blocks._sdk` the SDK."""
