"""Turning a PDF into an `Extraction`, and the pipeline that hands it on."""
