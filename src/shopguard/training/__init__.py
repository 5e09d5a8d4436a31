"""ShopGuard training package."""
