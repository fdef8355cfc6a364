"""Image-to-image GANs: super-resolution (SRGAN) and translation between photos and masks (pix2pix).

`pairs` builds (input, target) pairs from the image datasets, `objective` holds the translators' losses, `step` one
training iteration; the models are in `zerosum.models` (`pix2pix.py`, `srgan.py`), the metrics in
`zerosum.metrics`, the verbs `upscale` and `translate` in `translate.py`.
"""
