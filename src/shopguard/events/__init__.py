"""ShopGuard events package."""
