"""ShopGuard vision package."""
