// The SDK's settings (docs/sdk.md, "Configuration"), with the documented defaults.
// Thread-safety: read by the client at construction; do not change it afterwards.
using System;

namespace Gamelake
{
    /// <summary>Why events were dropped (the OnDropped reason).</summary>
    public static class DropReason
    {
        public const string QueueFull = "queue_full";
        public const string Invalid = "invalid";
        public const string Corrupt = "corrupt";
        public const string TooLarge = "too_large";
    }

    /// <summary>Client settings. BaseUrl and ApiKey are required.</summary>
    public sealed class Config
    {
        public string BaseUrl;
        /// <summary>An ingest key; never an admin key in a shipped game.</summary>
        public string ApiKey;
        public string Stream = "events";
        /// <summary>The queue folder (Unity default: Application.persistentDataPath/gamelake).</summary>
        public string QueueDir;
        public string AppVersion = "";
        /// <summary>Null means the runtime's OS name; "" leaves the field out.</summary>
        public string Platform;
        public int MaxBatchEvents = 500;
        public int MaxBatchBytes = 1 << 20;
        public int FlushIntervalMs = 2000;
        public bool Gzip = true;
        public long MaxQueueBytes = 16L << 20;
        public int MaxQueueEvents = 100000;
        public long MaxCriticalBytes = 4L << 20;
        public int MaxEventBytes = 65536;
        public int RetryBaseMs = 500;
        public int RetryMaxMs = 60000;
        public int RequestTimeoutMs = 30000;
        public int SessionTimeoutMs = 300000;
        public int SyncIntervalMs = 1000;
        public bool Debug;
        /// <summary>https: a PEM file of the CAs that signed the server's certificate (a private
        /// CA, a self-signed server), trusted besides the system's. Used by HttpClientTransport
        /// and UnityWebRequestTransport (its CertificateHandler).</summary>
        public string CaCertFile;
        /// <summary>!!! FOR TESTS ONLY !!! The server's certificate and host name are not checked
        /// at all: anyone on the network path can read the ApiKey and the events and answer in
        /// the server's place. Never in a shipped game; use CaCertFile. OnError says so at start.</summary>
        public bool InsecureSkipTlsVerify;

        /// <summary>The transport; null means HttpClientTransport (with CaCertFile, InsecureSkipTlsVerify).</summary>
        public ITransport Transport;
        /// <summary>The clock; null means the system clock.</summary>
        public IClock Clock;

        /// <summary>Set before constructing the client to also get the start-up reports
        /// (a damaged queue file is found while the client opens its queue).</summary>
        public Action<string, long, string> OnDropped;
        public Action<string> OnError;
        public Action<string> Log;

        internal static string DefaultPlatform()
        {
            switch (Environment.OSVersion.Platform)
            {
                case PlatformID.Win32NT: return "windows";
                case PlatformID.MacOSX: return "macos";
                case PlatformID.Unix: return "linux";
                default: return Environment.OSVersion.Platform.ToString().ToLowerInvariant();
            }
        }
    }
}
