"""Graph datasets: the karate club's factions and a stochastic block model, split by labelled nodes."""

import numpy as np
import pytest

from explorer.data import DatasetError, load_dataset
from explorer.data.planar import ring_centres


def test_karate_is_zacharys_club_with_its_two_factions():
    d = load_dataset("karate")
    g = d.graph
    assert g.num_nodes == 34 and g.edges.shape == (78, 2) and (g.edges[:, 0] < g.edges[:, 1]).all()
    assert d.class_names == ["Mr. Hi", "Officer"] and d.num_classes == 2
    assert g.labels[0] == 0 and g.labels[33] == 1 and np.bincount(g.labels).tolist() == [17, 17]
    # the two best-connected members of each faction are labelled: the leaders and their closest
    assert np.flatnonzero(g.train_mask).tolist() == [0, 2, 32, 33]
    assert (g.train_mask ^ g.val_mask).all()
    # identity features: one-hot per node; x_train/x_val are the labelled and the other nodes, in order
    assert d.sample_shape == (34,) and np.array_equal(g.features, np.eye(34, dtype=np.float32))
    np.testing.assert_array_equal(d.x_train, g.features[g.train_mask])
    np.testing.assert_array_equal(d.y_val, g.labels[g.val_mask])
    assert g.positions.shape == (34, 2) and np.abs(g.positions).max() <= 1.0 + 1e-6
    assert not d.is_2d


def test_degree_features_and_random_labelled_nodes():
    d = load_dataset("karate", {"features": "degree", "labelled": "random", "labelled_per_class": 3}, seed=1)
    g = d.graph
    degrees = np.bincount(g.edges.ravel(), minlength=34)
    assert d.sample_shape == (degrees.max() + 1,)
    assert (g.features.argmax(1) == degrees).all() and (g.features.sum(1) == 1).all()
    assert np.bincount(g.labels[g.train_mask]).tolist() == [3, 3]
    other = load_dataset("karate", {"labelled": "random", "labelled_per_class": 3}, seed=2).graph
    assert not np.array_equal(g.train_mask, other.train_mask)


def test_sbm_blocks_are_denser_inside():
    d = load_dataset("sbm", {"blocks": 4, "block_size": 15, "p_in": 0.5, "p_out": 0.02}, seed=3)
    g = d.graph
    assert g.num_nodes == 60 and d.num_classes == 4 and np.bincount(g.labels).tolist() == [15] * 4
    inside = (g.labels[g.edges[:, 0]] == g.labels[g.edges[:, 1]]).mean()
    assert inside > 0.8
    assert np.bincount(g.labels[g.train_mask]).tolist() == [2] * 4
    again = load_dataset("sbm", {"blocks": 4, "block_size": 15, "p_in": 0.5, "p_out": 0.02}, seed=3).graph
    np.testing.assert_array_equal(g.edges, again.edges)


def test_labelling_every_node_of_a_class_is_refused():
    with pytest.raises(DatasetError, match="label fewer"):
        load_dataset("sbm", {"block_size": 4, "labelled_per_class": 4})


def test_ring_has_eight_modes_on_a_circle_of_radius_two():
    d = load_dataset("ring", {"std": 0.02})
    points, labels = np.concatenate([d.x_train, d.x_val]), np.concatenate([d.y_train, d.y_val])
    centres = ring_centres()
    assert np.allclose(np.linalg.norm(centres, axis=1), 2.0)
    distance = np.linalg.norm(points - centres[labels], axis=1)
    assert distance.max() < 0.02 * 6 and np.bincount(labels).tolist() == [250] * 8
