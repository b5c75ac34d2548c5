"""What the agent reads: its workspace, the history views and the candidate template."""
