using Microsoft.AspNetCore.Builder;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>The "act" endpoints: issue mutation, notes and activity, tags, suspect commits, releases and deploys.</summary>
public static class ActRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        IssueMutationRoutes.Map(app, state);
        NoteRoutes.Map(app, state);
        TagRoutes.Map(app, state);
        CommitterRoutes.Map(app, state);
        ReleaseRoutes.Map(app, state);
    }
}
