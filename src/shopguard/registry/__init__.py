"""The behaviour model registry: versions in the database, files on disk or object storage.

``files``: where model files live (``data_dir/models/<version>.onnx``, copied to the
object store when one is configured). ``store``: register, list, promote, roll back and
set per-camera thresholds. ``policy``: when a candidate counts as worse than the active
model. ``runtime``: what the camera workers load, and the watcher that swaps models
without a restart.
"""
