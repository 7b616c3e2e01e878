"""Coding agents in the loop: the MCP server (split by tool group), cross-family review and the agent guide."""
