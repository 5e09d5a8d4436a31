"""ShopGuard commands package."""
