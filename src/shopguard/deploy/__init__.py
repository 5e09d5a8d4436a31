"""Deploying the behaviour model elsewhere: IBM Watson Machine Learning (``watsonml``) and
the IAM tokens its REST API needs (``iam``)."""
