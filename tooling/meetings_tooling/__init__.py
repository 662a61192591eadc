"""Tooling of the project, kept out of the model wheels: corpus markup (`markup`), validation
(`validation`), conversion to spaCy docs (`corpus`) and scores of a trained pipeline (`evaluation`).

The run-time components live in `minister_meetings`, which a model wheel requires; everything here
is needed only to build the corpus, train and evaluate.
"""
