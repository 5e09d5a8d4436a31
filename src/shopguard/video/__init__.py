"""ShopGuard video package."""
