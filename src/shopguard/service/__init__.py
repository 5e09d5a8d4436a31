"""ShopGuard service package."""
