"""The runtime under the services: the service loop, the task registry and the job runner. No Qt."""
