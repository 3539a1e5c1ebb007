// Workflows: the stages that span libraries (the pipeline, bench).
