from tests.mcp.agent import lab

__all__ = ["lab"]
