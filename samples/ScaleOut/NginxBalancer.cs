using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ScaleOut;

/// <summary>
/// nginx (Debian's package) as the load balancer, run as an ordinary process with a configuration of
/// our own: it listens on 127.0.0.1 only, keeps its pid, logs and temporary files in the work folder,
/// spreads requests round-robin over the replicas, and retries a request on the next replica when one
/// fails (connection refused or reset, 502/503), POSTs included (<c>non_idempotent</c>).
/// </summary>
internal sealed class NginxBalancer : IDisposable
{
    private readonly Process _process;

    private NginxBalancer(Process process, Uri url, string directory)
    {
        _process = process;
        Url = url;
        Directory = directory;
    }

    public Uri Url { get; }

    public string Directory { get; }

    /// <summary>The configuration for these replicas, listening on <paramref name="port"/> of 127.0.0.1.</summary>
    public static string Configuration(string directory, int port, IEnumerable<Uri> replicas)
    {
        var servers = string.Join(Environment.NewLine, replicas.Select(r => $"        server 127.0.0.1:{r.Port} max_fails=1 fail_timeout=5s;"));
        return $$"""
            # Written by samples/ScaleOut for one run; nginx runs in the foreground as an ordinary process.
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                client_max_body_size 32m;
                client_body_buffer_size 1m;
                upstream digit_replicas {
            {{servers}}
                    keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://digit_replicas;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        # A replica that refuses, resets or answers 502/503 (shutting down): the next one
                        # gets the request, POSTs too. At most 3 tries, each bounded in time.
                        proxy_next_upstream error timeout http_502 http_503 non_idempotent;
                        proxy_next_upstream_tries 3;
                        proxy_next_upstream_timeout 30s;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 30s;
                        # Which replica(s) answered: "a, b" when nginx retried.
                        add_header X-Upstream $upstream_addr always;
                    }
                }
            }
            """;
    }

    public static async Task<NginxBalancer> StartAsync(string nginx, string directory, IReadOnlyList<Uri> replicas, CancellationToken cancellation)
    {
        System.IO.Directory.CreateDirectory(directory);
        for (int attempt = 1; ; attempt++)
        {
            int port = FreeLoopbackPort();
            string config = Path.Combine(directory, "nginx.conf");
            File.WriteAllText(config, Configuration(directory, port, replicas));
            var start = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log") }) start.ArgumentList.Add(arg);
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"{nginx} could not be started.");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"nginx was not found ({nginx}): install Debian's package (apt-get install nginx-light). {e.Message}", e);
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var balancer = new NginxBalancer(process, new Uri($"http://127.0.0.1:{port}/"), directory);
            if (await balancer.WaitUntilServingAsync(cancellation)) return balancer;
            string log = File.Exists(Path.Combine(directory, "error.log")) ? File.ReadAllText(Path.Combine(directory, "error.log")) : "";
            balancer.Dispose();
            // Another process may have taken the port between our probe and nginx's bind: try another.
            if (attempt == 3) throw new InvalidOperationException($"nginx did not start serving on 127.0.0.1:{port}:{Environment.NewLine}{log}");
        }
    }

    private async Task<bool> WaitUntilServingAsync(CancellationToken cancellation)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Url, "health/live"), cancellation);
                if (response.IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellation);
        }
        return false;
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Stops nginx (SIGTERM to the master, which stops its worker; SIGKILL to both if needed).</summary>
    public void Dispose()
    {
        Signals.Stop(_process, TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
