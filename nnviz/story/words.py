"""The sentences of the story, as data: one dict of templates per language (English only now).

Fields in braces are filled by nnviz.story.tell with figures formatted there (see `figures`):
{step}, {loss}, {val_loss}, {unit}, {right}, {total}, {line}, ... (see tell and race). A template states only
the values of the snapshot on screen while its words are shown.
"""
from __future__ import annotations

from ..settings import LANGUAGES  # noqa: F401  (checked there, for every way a value comes in)

DEFAULT = "en"

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        # chapter titles
        "chapter.start": "The start (step {step})",
        "chapter.descent": "Fast descent (step {step})",
        "chapter.slow": "Slowing down (step {step})",
        "chapter.plateau": "A plateau (step {step})",
        "chapter.drop": "A sudden drop (step {step})",
        "chapter.all_right": "Every training point right (step {step})",
        "chapter.all_right_brief": "Every training point right, for a moment (step {step})",
        "chapter.converged": "Converged (step {step})",
        "chapter.diverging": "Diverging (step {step})",
        "chapter.overfitting": "Overfitting begins (step {step})",
        "chapter.minimum": "At the minimum (step {step})",
        "chapter.dead": "Dead ReLU units (step {step})",
        "chapter.saturated": "Saturated units (step {step})",
        "chapter.learning": "Learning (step {step})",
        # a chapter with no moment of its own (too few moments): what the loss is doing there
        "chapter.phase.start": "Learning (step {step})",
        "chapter.phase.learning": "Learning (step {step})",
        "chapter.phase.descent": "Falling fast (step {step})",
        "chapter.phase.slow": "Falling slowly (step {step})",
        "chapter.phase.plateau": "On the plateau (step {step})",
        "chapter.phase.converged": "Settled (step {step})",
        "chapter.phase.diverging": "Still diverging (step {step})",
        "chapter.phase.overfitting": "Still overfitting (step {step})",
        "chapter.phase.again": "Later: training loss {loss} (step {step})",
        "chapter.end": "The end (step {step})",
        "chapter.words": "Step {step}",
        # what happens at a moment (one sentence, said when the moment is on screen)
        "moment.start": "Training starts from the initial weights.",
        "moment.descent": "The loss starts to fall fast.",
        "moment.slow": "Most of the fall is done: from here the loss falls slowly.",
        "moment.plateau": "The loss stops falling: a plateau.",
        "moment.drop": "The loss drops suddenly.",
        "moment.all_right": "Now every training point is on the right side of the boundary.",
        "moment.all_right_plain": "Now every training point is classified right.",
        "moment.all_right_brief": "For a moment every training point is classified right.",
        "moment.converged": "The loss has settled: training has converged.",
        "moment.diverging": "The loss is rising: training is diverging.",
        "moment.overfitting": ("The validation loss starts to rise while the training loss "
                               "falls: the network is overfitting."),
        "moment.minimum": ("The path reaches the bottom of the landscape, the least-squares "
                           "minimum marked by the star: the best line is y = {best_line}."),
        "moment.dead": ("{dead} of the {units} {where} (ReLU) are dead now: they output zero "
                        "for every training point, so they no longer learn."),
        "moment.dead_one": ("{dead} of the {units} {where} (ReLU) is dead now: it outputs zero "
                            "for every training point, so it no longer learns."),
        "moment.saturated": ("{saturated} of the {units} {where} ({flat}) are saturated now: "
                             "flat for every training point, so they barely learn."),
        "moment.saturated_one": ("{saturated} of the {units} {where} ({flat}) is saturated "
                                 "now: flat for every training point, so it barely learns."),
        "moment.end": "This is the last step of training.",
        # a moment inside a cue that had no cue of its own (too soon after the last one)
        "soon.descent": "Then the loss falls fast.",
        "soon.drop": "Then the loss drops suddenly.",
        "soon.plateau": "Then the loss stops falling: a plateau.",
        # what the frames show in a phase (said when no moment happens)
        "phase.start": "The network has not learned yet.",
        "phase.descent": "The loss is falling fast.",
        "phase.slow": "The loss falls slowly now.",
        "phase.plateau": "The loss is nearly flat.",
        "phase.converged": "The loss barely changes any more.",
        "phase.diverging": "The loss keeps rising.",
        "phase.overfitting": "The validation loss keeps rising: the network is overfitting.",
        "phase.learning": "The loss is falling.",
        "phase.final": "The final result.",
        "phase.final_failed": ("The final result: the network did not learn this data; this is "
                               "as far as it got."),
        # the figures on screen
        "status.regression": ("Step {step}: training loss {loss}, validation loss {val_loss} "
                              "({unit})."),
        "status.classification": ("Step {step}: training loss {loss}, validation loss "
                                  "{val_loss} ({unit}); {right} of {total} training points "
                                  "right."),
        "status.line": "The line is now y = {line}.",
        # several runs in one video (a scene's runs, nnviz compare)
        "runs.chapter.start": "The start: {count} runs (step {step})",
        "runs.chapter.first": "{label} first below {target} (step {step})",
        "runs.chapter.reach": "{label} below {target}, after {first} (step {step})",
        "runs.chapter.diverging": "{label} diverges (step {step})",
        "runs.chapter.dead": "{label}: dead units (step {step})",
        "runs.chapter.saturated": "{label}: saturated units (step {step})",
        "runs.chapter.all_right": "{label}: every point right (step {step})",
        "runs.chapter.learning": "Learning (step {step})",
        "runs.chapter.leads": "{leader} lowest (step {step})",
        "runs.chapter.end": "The result: {winner} ends lowest (step {step})",
        "runs.chapter.tie": "The result: level (step {step})",
        "runs.start": ("{count} runs train side by side, alike except for their {differ}: "
                       "{labels}."),
        "runs.first": "{label} is the first to get below training loss {target}, at step {step}.",
        "runs.reach": ("{label} gets below training loss {target} at step {step}: {ratio} times "
                       "as many steps as {first} (step {first_step})."),
        "runs.diverging": "{label}'s loss is rising: that run is diverging.",
        "runs.dead": ("{label}: {dead} of its {units} {where} are dead now (they output zero "
                      "for every training point)."),
        "runs.dead_one": ("{label}: {dead} of its {units} {where} is dead now (it outputs zero "
                          "for every training point)."),
        "runs.saturated": ("{label}: {saturated} of its {units} {where} are saturated now "
                           "(flat for every training point)."),
        "runs.saturated_one": ("{label}: {saturated} of its {units} {where} is saturated "
                               "now (flat for every training point)."),
        "runs.all_right": "{label} now gets every training point right.",
        "runs.leads": "{leader} is lowest now.",
        "runs.learning": "The runs are learning.",
        "runs.end": ("{winner} ends with the lowest training loss, {winner_loss}; {second} is "
                     "next with {second_loss}. Only the {differ} differs, so it made the "
                     "difference."),
        "runs.end_several": ("{winner} ends with the lowest training loss, {winner_loss}; {second} "
                             "is next with {second_loss}. More than one setting differs ({differ}), "
                             "so it is the combination {winner} that won, not one setting "
                             "alone."),
        "runs.tie": ("{tied} end level, at training loss {winner_loss}: the {differ} changed how "
                     "fast they got there, not where they ended."),
        "runs.tie_first": "{first} got below {target} first.",
        "runs.level": "{leaders} are level now.",
        "runs.never": "{labels} never got below {target}.",
        "runs.final": "The final result.",
        "runs.status": "Step {step}: training loss {losses} ({unit}).",
        "runs.loss": "{label} {loss}",
        "runs.and": " and ",
        # what runs differ in, by the scene attribute they change
        "differ.lr": "learning rate",
        "differ.optimizer": "optimizer",
        "differ.seed": "random seed",
        "differ.hidden": "hidden layers",
        "differ.hidden_activation": "activation function",
        "differ.activation": "activation function",
        "differ.features": "features",
        "differ.batch_size": "batch size",
        "differ.regularization": "regularization",
        "differ.reg_rate": "regularization rate",
        "differ.train_fraction": "training fraction",
        "differ.noise": "noise",
        "differ.none": "settings",
    },
}


def templates(language: str) -> dict[str, str]:
    """The templates of `language` (a code such as "en")."""
    try:
        return TEMPLATES[language]
    except KeyError:
        raise ValueError(f"no words in language {language!r}; "
                         f"choose one of {', '.join(LANGUAGES)}") from None
