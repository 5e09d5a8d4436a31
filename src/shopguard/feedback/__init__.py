"""Learning from the store: the data that reviews and missed-theft reports are made of.

``track_log`` keeps a bounded, per-camera log of every analysed frame's tracks (poses,
never pixels) so a reviewer's "this should have alerted" report can be turned into a
labelled pose clip later. Exporting, merging and splitting datasets is in
``shopguard.training.feedback`` and ``shopguard.training.merge``.
"""
