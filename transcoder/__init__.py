"""Source file to house-format HLS: probe, plan, build, run, package."""
