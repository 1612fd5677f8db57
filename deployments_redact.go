package managedagents

import "log/slog"

// The repository tokens of a deployment's resources are printed redacted by
// fmt (GitHubRepositoryResourceParams.Format); these keep them out of
// log/slog too.

// LogValue logs p with the tokens of its repository resources redacted.
func (p DeploymentCreateParams) LogValue() slog.Value {
	type deploymentCreateParams DeploymentCreateParams // without this method
	c := deploymentCreateParams(p)
	c.Resources = redactResources(p.Resources)
	return slog.AnyValue(c)
}

// LogValue logs p with the tokens of its repository resources redacted.
func (p DeploymentUpdateParams) LogValue() slog.Value {
	type deploymentUpdateParams DeploymentUpdateParams // without this method
	c := deploymentUpdateParams(p)
	c.Resources = redactResources(p.Resources)
	return slog.AnyValue(c)
}
