// The Unity lifecycle component: creates the one Client (queue in
// Application.persistentDataPath/gamelake, debug log to Debug.Log), flushes on pause, ends the
// session and flushes on quit. Put it on a GameObject in the first scene; it survives loads.
// Thread-safety: Unity calls these hooks on the main thread; Client is safe from any thread.
using System;
using System.IO;
using UnityEngine;

namespace Gamelake.Unity
{
    /// <summary>Owns the game's gamelake Client (GamelakeBehaviour.Client).</summary>
    public class GamelakeBehaviour : MonoBehaviour
    {
        public string baseUrl = "http://127.0.0.1:8080";
        /// <summary>An ingest key (never an admin key in a shipped game).</summary>
        public string apiKey = "";
        public string stream = "events";
        /// <summary>Empty: Application.version.</summary>
        public string appVersion = "";
        public bool debugLog;
        /// <summary>HttpClient instead of UnityWebRequest (lets quit wait for the last batch).</summary>
        public bool useHttpClient;
        /// <summary>https with a private CA: the full path of a PEM file of the CAs that signed the
        /// server's certificate (empty: the platform's CAs). Copy it to a readable path first
        /// (StreamingAssets is inside the APK on Android).</summary>
        public string caCertFile = "";
        public float quitFlushSeconds = 1f;

        /// <summary>The client, once a GamelakeBehaviour has woken up.</summary>
        public static Client Client { get; private set; }

        private GamelakeMainThread mainThread_;

        private void Awake()
        {
            if (Client != null)
            {
                Destroy(gameObject);  // one client per queue folder
                return;
            }
            DontDestroyOnLoad(gameObject);
            mainThread_ = gameObject.AddComponent<GamelakeMainThread>();
            Client = new Client(MakeConfig());
        }

        /// <summary>The configuration from the inspector's fields; override to set more.</summary>
        protected virtual Config MakeConfig()
        {
            return new Config
            {
                BaseUrl = baseUrl,
                ApiKey = apiKey,
                Stream = stream,
                QueueDir = Path.Combine(Application.persistentDataPath, "gamelake"),
                AppVersion = string.IsNullOrEmpty(appVersion) ? Application.version : appVersion,
                Platform = PlatformName(Application.platform),
                Debug = debugLog,
                Transport = useHttpClient ? null : new UnityWebRequestTransport(mainThread_, caCertFile, false),
                CaCertFile = string.IsNullOrEmpty(caCertFile) ? null : caCertFile,
                Log = line => Debug.Log(line),
                OnError = message => Debug.LogWarning("[gamelake] " + message),
            };
        }

        /// <summary>The OS as the other SDKs name it (android, ios, windows, macos, linux, webgl).</summary>
        public static string PlatformName(RuntimePlatform p)
        {
            switch (p)
            {
                case RuntimePlatform.Android: return "android";
                case RuntimePlatform.IPhonePlayer: return "ios";
                case RuntimePlatform.WindowsPlayer: case RuntimePlatform.WindowsEditor: return "windows";
                case RuntimePlatform.OSXPlayer: case RuntimePlatform.OSXEditor: return "macos";
                case RuntimePlatform.LinuxPlayer: case RuntimePlatform.LinuxEditor: return "linux";
                case RuntimePlatform.WebGLPlayer: return "webgl";
                default: return p.ToString().ToLowerInvariant();
            }
        }

        private void OnApplicationPause(bool paused)
        {
            if (Client == null) return;
            if (paused) Client.OnPause();
            else Client.OnResume();
        }

        private void OnApplicationQuit()
        {
            if (Client == null) return;
            Client.EndSession();
            // UnityWebRequest needs frames that quit no longer gives: what is not sent stays
            // in the queue file and goes at the next start. HttpClient can use the time.
            Client.Shutdown(useHttpClient ? TimeSpan.FromSeconds(quitFlushSeconds) : TimeSpan.Zero);
            Client = null;
        }
    }
}
