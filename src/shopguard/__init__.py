"""ShopGuard: real-time shoplifting detection for retail CCTV."""

__version__ = "0.1.0"
