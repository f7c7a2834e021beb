"""The run registry, background jobs and a run's recorded inputs."""
