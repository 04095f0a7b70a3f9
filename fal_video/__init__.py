"""The standalone side: the fal-video command and the agent-graph executor."""
