"""Enforcement (违规管理): violations and their appeals, the promoter credit score (信用分)
with its node restrictions, and market-management measures (市场管理措施)."""
