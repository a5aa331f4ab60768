namespace ScaleOut;

/// <summary>What to run: how many replicas, how much load, and what happens in the middle of it.</summary>
public sealed class ScaleOutOptions
{
    /// <summary>What happens in the middle of the load.</summary>
    public enum Disruption
    {
        /// <summary>One replica is killed (SIGKILL) halfway through.</summary>
        KillReplica,

        /// <summary>model.zip (shared by every replica) is replaced by the second model a quarter of the way through.</summary>
        SwapModel,
    }

    /// <summary>The web app to run (DigitWebApp.dll).</summary>
    public string WebAppAssembly { get; set; } = DefaultWebAppAssembly();

    /// <summary>The model the replicas start with.</summary>
    public string ModelA { get; set; } = "";

    /// <summary>The model swapped in (<see cref="Disruption.SwapModel"/>).</summary>
    public string ModelB { get; set; } = "";

    /// <summary>MNIST (the test split gives the digits sent).</summary>
    public string MnistDirectory { get; set; } = "data/mnist";

    /// <summary>Replicas behind the balancer (2 or 3).</summary>
    public int Replicas { get; set; } = 3;

    /// <summary>Requests sent, in all.</summary>
    public int Requests { get; set; } = 20_000;

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>Distinct digit images sent (cycled).</summary>
    public int Images { get; set; } = 200;

    /// <summary>The whole run stops after this, whatever is left.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The nginx binary.</summary>
    public string Nginx { get; set; } = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

    /// <summary>The disruption.</summary>
    public Disruption Scenario { get; set; } = Disruption.KillReplica;

    /// <summary>Where the replicas' model.zip, nginx's files and logs go (a new temporary folder when null).</summary>
    public string? WorkDirectory { get; set; }

    private static string DefaultWebAppAssembly() =>
        typeof(ScaleOutOptions).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "DigitWebAppAssembly").Value!;
}
