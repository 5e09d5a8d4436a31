"""ShopGuard alerts package."""
