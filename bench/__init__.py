"""`make bench`: dockbot against the docker CLI on the real engine (issue 6); see `bench/__main__.py`."""
