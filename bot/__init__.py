"""dockbot's Slack and process side: settings, the dispatch pipeline, rendering, console and Slack app."""
