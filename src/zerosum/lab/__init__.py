"""The GAN lab: the papers' toy problems trained live, one step at a time, for a page to watch (`zerosum serve`).

`ToyLab` trains with the trainer's own step (`training.step.train_step`: Algorithm 1, or the released code's
simultaneous update) on the toy datasets of `data/toy.py`, from the toy presets; `views.py` turns its state into
what the page draws: densities and D(x) for the 1-D toy, points, D's decision map and G's gradient field in 2-D.
"""

from zerosum.lab.toys import LAB_DATA, LabSettings, ToyLab

__all__ = ["LAB_DATA", "LabSettings", "ToyLab"]
