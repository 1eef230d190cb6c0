"""The pytest plugin that runs the conformance suite (registered as ``pytest11``)."""
