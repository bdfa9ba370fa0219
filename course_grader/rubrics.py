"""Rubrics and model answers of the manually graded written answers, keyed by grade_id.

This is grading-only material (it never ships in a release notebook). The same text stands in
each written-answer cell's solution region of ``source/``, so instructors see it in formgrader;
``tests/test_rubrics.py`` proves the two agree and that each rubric's points add up to the
cell's points. ``course grade`` can show a rubric to a self-paced learner after grading
(``rubric_for(module)``); self-assessed points are recorded apart from the automatic score.
"""

from __future__ import annotations

from course import paths

#: module -> list of {grade_id, points, criteria: [(text, points)], model_answer}
RUBRICS: dict[str, list[dict]] = {
    "01_overfitting_regularization": [{
        "grade_id": "written_regularization_plan",
        "points": 3,
        "criteria": [
            ("Diagnosis: names the 28-point train/validation gap as overfitting (high variance), not underfitting.", 0.5),
            ("Verification: changes one thing at a time and compares training and validation loss curves on a held-out validation set (never the test set).", 1.0),
            ("First change is justified: early stopping with restored best weights and/or a moderate L2 (or elastic net, because L1 picks one of each group of near-duplicates arbitrarily), with the strength chosen on validation loss.", 1.0),
            ("Risk in the proposal: a large L1 plus dropout 0.8 everywhere at once can swing to underfitting (both curves high) and hides which change helped.", 0.5),
        ],
        "model_answer": (
            "The 28-point gap between training and validation accuracy is overfitting (high variance), not underfitting. "
            "I would change one thing at a time and watch the training and validation loss curves on a held-out validation "
            "set (never the test set): first early stopping with `restore_best_weights`, then a moderate L2 (or elastic net, "
            "since L1 alone picks one of each group of correlated near-duplicates arbitrarily), tuning λ by validation loss "
            "(a Vertex AI hyperparameter-tuning job automates that search). Dropout 0.8 everywhere plus a large L1 at once "
            "risks swinging to underfitting — both curves high — and makes it impossible to tell which change helped; dropout "
            "also matters less for a shallow tabular model than for a large network."),
    }],
    "02_vanishing_exploding_gradients": [{
        "grade_id": "written_gradient_plan",
        "points": 3,
        "criteria": [
            ("Mechanism: N(0, 1) weights with 256 inputs give pre-activations of about 16x the input scale, so tanh saturates (gradients vanish: the loss does not move), while large weights and lr 0.5 can start an overshoot loop that ends in NaN; which happens first depends on the seed.", 1.0),
            ("Measurements: per-layer gradient norms (the ratio input side / output side) AND the gradient norm over steps (spikes), plus activation histograms for saturation.", 1.0),
            ("Ordered changes with reasons: Glorot init for tanh (or ReLU + He) first; a lower learning rate; clipping by global norm as a safety net; batch normalization if still needed.", 0.5),
            ("Method: changes one thing at a time and confirms each with the same measurements.", 0.5),
        ],
        "model_answer": (
            "With N(0, 1) weights and 256 inputs per unit, the pre-activations have a standard deviation of about "
            "sqrt(256) = 16 times the typical size of the layer's inputs (about 1 for tanh outputs), so most tanh units "
            "are saturated (tanh' ≈ 0): gradients vanish through 20 layers and the loss does not move; yet the few "
            "unsaturated paths have Jacobians with large weights, and with learning rate 0.5 one large gradient can trigger "
            "the overshoot feedback loop that ends in inf/NaN — which one happens first depends on the seed. I would log the "
            "per-layer gradient norms at a step (input side over output side: ≪ 1 is vanishing), the gradient norm per step "
            "(a spike, or a non-finite value, is an explosion even when the ratio looks healthy), and histograms of the "
            "activations (piles at ±1 mean saturation). Changes, in order: Glorot initialization for tanh (or ReLU + He) so "
            "each layer keeps the signal's scale; a lower learning rate (0.05 or less, or Adam) to stop the overshooting; "
            "gradient clipping by global norm as a safety net; batch normalization if the deep stack still trains poorly. I "
            "would change one thing at a time and confirm with the same measurements."),
    }],
    "03_classification_metrics": [{
        "grade_id": "written_metric_choice",
        "points": 3,
        "criteria": [
            ("What the numbers say: ROC-AUC 0.96 is a ranking probability that ignores prevalence; accuracy on a balanced set says nothing about precision at 0.5% (a constant 'legitimate' model is 99.5% accurate).", 1.0),
            ("Evaluation: a held-out set with the real 0.5% prevalence; the PR curve / average precision, compared with the 0.005 baseline.", 0.5),
            ("Threshold: the highest threshold whose validation recall is at least 0.9, confirmed on a separate test set.", 1.0),
            ("Cost for the manager: the precision (alerts per fraud, review load) at that recall, so the business can accept it or lower the target.", 0.5),
        ],
        "model_answer": (
            "ROC-AUC 0.96 says the model ranks a random fraud above a random legitimate transaction 96% of the time, and that "
            "does not change with prevalence; but the balanced set hides how many false alarms the 199-times-larger legitimate "
            "class produces in production, and accuracy on balanced data says nothing about precision at 0.5% (the constant "
            "'legitimate' model is 99.5% accurate there). I would evaluate on a held-out set with the real 0.5% prevalence and "
            "report the PR curve and average precision (compared with the 0.005 random baseline). For 'catch at least 90% of "
            "fraud' I would choose the highest threshold whose recall on that validation set is at least 0.9 (checking it on a "
            "separate test set), and report the precision there: e.g. 'to catch 90% you will review N alerts a day, of which "
            "only x% are fraud' — the manager then decides whether that review load is acceptable or whether to accept a lower "
            "recall."),
    }],
    "04_multicollinearity_pls_pca": [{
        "grade_id": "written_collinearity_remedy",
        "points": 3,
        "criteria": [
            ("Diagnosis: TV and video spend are collinear (VIF 30+ means about 97% of each one's variance is explained by the others), so the coefficient's variance is inflated and its sign is not trustworthy.", 1.0),
            ("What R² does and does not show: good prediction, not interpretable individual coefficients; 'TV hurts sales' is not supported.", 0.5),
            ("Two remedies with their trade-off: e.g. ridge (stable, shrunk, slightly biased) vs PCR/PLS (uncorrelated directions, harder to explain), or merging the two channels.", 1.0),
            ("Hyperparameter by cross-validation (λ or the number of components); an experiment if the causal effect of TV is the question.", 0.5),
        ],
        "model_answer": (
            "TV and online video spend move together (VIFs above 30 mean about 97% of each one's variance is explained by the "
            "other features), so OLS cannot separate their effects: the coefficient's variance is inflated about 30-fold and "
            "its sign is not trustworthy — a bootstrap would show it flipping. The good validation R² shows the model predicts "
            "well; it does not make individual coefficients interpretable, so 'TV hurts sales' is not supported. Remedies: "
            "ridge regression keeps every channel with a stable, shrunk coefficient (slightly biased); PLS or PCA + regression "
            "replaces the channels with a few uncorrelated directions (stable, but the directions are mixtures of channels and "
            "harder to explain); combining TV and video into one 'video' feature is the simplest if the business question "
            "allows it. The penalty λ or the number of components is chosen by cross-validation. To learn the causal effect of "
            "TV, the real fix is data where TV varies independently (an experiment or geo test)."),
    }],
    "05_explainability_shapley_ig": [{
        "grade_id": "written_explanation_plan",
        "points": 3,
        "criteria": [
            ("Methods: Integrated Gradients for the differentiable CNN (pixel-level detail matters on low-contrast X-rays, where XRAI's regions suit natural images less); sampled Shapley on Vertex (or Tree SHAP in code) for the non-differentiable boosted trees.", 1.0),
            ("Baseline: an all-black baseline gives zero attribution to dark pixels, which carry signal in X-rays; use a blurred image (or several baselines) and report it.", 0.5),
            ("Numerical trust: check completeness/efficiency (attributions sum to prediction minus baseline prediction) and raise step_count / path_count until the approximation error is small.", 1.0),
            ("Correlated labs: they share credit; report them as a group (summed) and warn that one lab's small share does not mean it is unimportant.", 0.5),
        ],
        "model_answer": (
            "For the CNN, Integrated Gradients: the model is differentiable and has thousands of pixel features, and for "
            "low-contrast X-rays pixel-level IG is preferred to XRAI's region aggregation (XRAI suits natural images). An "
            "all-black baseline gives zero attribution to every dark pixel (x_i - x'_i = 0), and dark regions carry signal in "
            "an X-ray, so I would use a blurred copy of the image (or average over several noise/blurred baselines) and report "
            "the baseline with the maps. For the boosted trees, sampled Shapley on Vertex (Tree SHAP if computed in code), "
            "since trees are not differentiable. To check the numbers, I would verify completeness/efficiency — the "
            "attributions must sum to the prediction minus the baseline prediction — and raise `step_count` (IG) or "
            "`path_count` (sampled Shapley: its split between features has an error of order 1/sqrt(path_count)) until the "
            "approximation error is small. Correlated lab values share credit, so I would report their attributions as a "
            "group (summed) and warn that a single lab's small share does not mean it is unimportant."),
    }],
    "06_distributed_training": [{
        "grade_id": "written_distributed_plan",
        "points": 3,
        "criteria": [
            ("The loss and the learning rate: a per-replica `reduce_mean` summed over 8 replicas makes the gradients 8 times too large (an 8x learning rate), which explains the divergence; divide the per-example losses by the global batch (`tf.nn.compute_average_loss`), then scale the rate linearly with the global batch, with a warm-up (lowering the rate by hand only hides the bug). Half a point if named without the reason.", 1.0),
            ("The bottleneck: 30% utilisation with millions of small files is an input-pipeline bottleneck (confirmed with the profiler's input analysis / `IteratorGetNext`); fix it with TFRecord shards, parallel `interleave`/`map`, `prefetch` and `cache` before adding hardware. Half a point if named without the reason.", 1.0),
            ("Strategy and roles: `MultiWorkerMirroredStrategy` across 2 machines (pool 0 primary replica, pool 1 worker, `TF_CONFIG` set by Vertex AI), or first one 8-GPU machine with `MirroredStrategy`; Reduction Server if inter-node all-reduce dominates.", 0.5),
            ("Measurement: step time at a fixed global batch on 1, 4 and 8 GPUs, scaling efficiency t1 / (N tN), and time (and cost) to the target accuracy rather than steps per second.", 0.5),
        ],
        "model_answer": (
            "The first run diverged because each replica took its own mean and the all-reduce summed eight of them: the "
            "gradients were 8x too large, the same as an 8x learning rate. I would compute "
            "`tf.nn.compute_average_loss(per_example_loss, global_batch_size=512)` in the replica step, then set the rate with "
            "the linear rule to 8e-3 for the global batch of 512, reached by a linear warm-up over the first few hundred steps. "
            "The slow second run with 30% GPU utilisation points to the input pipeline: the profiler would show the GPUs waiting "
            "in `IteratorGetNext` on 2 million small reads, so I would convert the data to TFRecord shards of about 100-200 MB "
            "and read them with parallel `interleave` and `map`, `prefetch` and, if it fits, `cache`. For the hardware, I would "
            "first try one machine with 8 GPUs and `MirroredStrategy` (NVLink, no network in the all-reduce); if two machines "
            "are needed, I would use `MultiWorkerMirroredStrategy` with worker pool 0 (one primary replica) and pool 1 (one "
            "worker), and add a Reduction Server pool if the profiler shows inter-node gradient exchange dominating. To decide "
            "whether 8 GPUs are worth it I would measure the step time at the same global batch on 1, 4 and 8 GPUs, compute the "
            "scaling efficiency t1 / (N tN) and the cost per run, and compare the time to reach the target validation accuracy, "
            "not just steps per second."),
    }],
    "07_monitoring_skew_drift": [{
        "grade_id": "written_monitoring_response",
        "points": 3,
        "criteria": [
            ("Diagnosis: `merchant_category` is training-serving skew (a step after a release of the service that computes it) and `transaction_amount` is drift (a gradual trend, unchanged pipeline), with what to check first for each (new or missing categories and the release; whether the shift is real and how important the feature is). Half a point if the two are told apart without a justification.", 1.0),
            ("Response: roll back (or fix) the pipeline for the skew and do NOT retrain on the buggy days; for the drift, retrain through a pipeline with data validation and an evaluation gate against the current model, then update the baseline. Half a point if only one response is right or 'retrain' has no evaluation step.", 1.0),
            ("Label delay: label-free monitoring until the chargebacks arrive (prediction distribution, attribution drift, proxy labels such as analysts' reviews), then continuous evaluation.", 0.5),
            ("Configuration: one sound change, e.g. drift detection window against window, per-feature or lower thresholds on important features, trend alerts, or a sampling rate that leaves thousands of rows per window.", 0.5),
        ],
        "model_answer": (
            "The `merchant_category` alert is training-serving skew: a step change in one feature, starting the day after a "
            "release of the service that computes that very feature, with nothing to suggest that customers changed overnight. "
            "I would first compare its serving and training distributions (which categories appeared or vanished: typically "
            "codes mapped to a new name or to 'unknown') and read the release's changes; if it is a mapping bug I roll back that "
            "release (or the model version deployed with it), fix the mapping, ideally sharing one transformation between "
            "training and serving, and add a schema check on the category's domain. I would not retrain on those days of data, "
            "or the model would learn the bug. The `transaction_amount` alert is drift: a gradual trend over eight weeks with an "
            "unchanged pipeline. I check whether it is real (seasonality, a new merchant segment, inflation) and how important "
            "the feature is (its attribution drift), then trigger the retraining pipeline: validate the recent data, retrain on "
            "a recent window, evaluate the candidate against the current model on the most recent labelled data, deploy only if "
            "better (perhaps on a traffic split) and update the monitoring baseline. Before the chargebacks arrive, quality is "
            "judged without labels: the prediction distribution (e.g. the share of flagged transactions), feature-attribution "
            "drift, and early proxy labels such as analysts' manual reviews; continuous evaluation on chargebacks confirms it 60 "
            "days later. For the configuration, I would add drift detection (window against window) to catch sudden changes "
            "quickly, set per-feature thresholds (a trend alert or a lower threshold on the most important features so the slow "
            "drift is seen at 0.15, not 0.33), and keep the sampling rate high enough that each window holds thousands of rows."),
    }],
}


def rubric_for(module: str) -> list[dict]:
    """The rubrics of a module's written answers: ``[{grade_id, criteria: [(text, points)], model_answer}]``.

    ``module`` may be a number (``"01"``) or a full name; a module without written answers
    gives ``[]``.
    """
    name = paths.resolve_module(module)
    return [
        {"grade_id": r["grade_id"], "criteria": [tuple(c) for c in r["criteria"]], "model_answer": r["model_answer"], "points": r["points"]}
        for r in RUBRICS.get(name, [])
    ]


def rubric_markdown(entry: dict) -> str:
    """The rubric and model answer as they stand in the notebook cell's solution region."""
    lines = [f"**Rubric ({entry['points']:g} points).**", ""]
    lines += [f"* ({points:g}) {text}" for text, points in entry["criteria"]]
    lines += ["", f"*Model answer.* {entry['model_answer']}"]
    return "\n".join(lines)
