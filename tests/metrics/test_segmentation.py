import pytest
import torch

from zerosum.metrics.segmentation import confusion, segmentation_scores


def test_perfect_and_closed_form_scores():
    truth = torch.tensor([[[0, 0, 1, 1], [0, 2, 2, 1]]])
    perfect = segmentation_scores(truth, truth, 4)
    assert perfect["pixel_accuracy"] == 1.0 and perfect["mean_iou"] == 1.0
    assert perfect["iou"][3] is None  # class 3 is in neither: it does not count
    pred = torch.tensor([[[0, 1, 1, 1], [0, 2, 0, 1]]])
    s = segmentation_scores(pred, truth, 3)
    assert s["pixel_accuracy"] == pytest.approx(6 / 8)
    # pixels by class, truth vs prediction: 0 {0,1,4} vs {0,4,6} → 2/4; 1 {2,3,7} vs {1,2,3,7} → 3/4;
    # 2 {5,6} vs {5} → 1/2
    assert s["iou"] == pytest.approx([0.5, 0.75, 0.5])
    assert s["mean_iou"] == pytest.approx((0.5 + 0.75 + 0.5) / 3)


def test_confusion_counts_rows_as_truth():
    c = confusion(torch.tensor([1, 1, 0]), torch.tensor([0, 1, 0]), 2)
    assert c.tolist() == [[1, 1], [0, 1]]
    with pytest.raises(ValueError, match="differ in size"):
        confusion(torch.tensor([1]), torch.tensor([0, 1]), 2)
