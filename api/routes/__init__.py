"""The API's endpoints, one router per module (mounted by ``api.app.create_app``)."""
