"""ShopGuard behavior package."""
