"""ShopGuard storage package."""
