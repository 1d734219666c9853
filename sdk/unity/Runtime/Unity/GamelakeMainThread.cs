// Runs work on Unity's main thread: the SDK's worker thread enqueues actions (starting a
// UnityWebRequest coroutine), Update drains them. UnityWebRequest must be created there.
// Thread-safety: Post may be called from any thread; everything else runs on the main thread.
using System;
using System.Collections.Generic;
using UnityEngine;

namespace Gamelake.Unity
{
    /// <summary>A main-thread dispatcher component (added by GamelakeBehaviour).</summary>
    public sealed class GamelakeMainThread : MonoBehaviour
    {
        private readonly object lock_ = new object();
        private readonly Queue<Action> pending_ = new Queue<Action>();
        private readonly List<Action> running_ = new List<Action>();

        /// <summary>Runs action on the main thread during the next Update.</summary>
        public void Post(Action action)
        {
            lock (lock_) pending_.Enqueue(action);
        }

        private void Update()
        {
            Drain();
        }

        /// <summary>Runs what is queued now (also called by the lifecycle hooks, which may
        /// come when Update no longer runs, e.g. while pausing).</summary>
        public void Drain()
        {
            lock (lock_)
            {
                while (pending_.Count > 0) running_.Add(pending_.Dequeue());
            }
            foreach (Action a in running_)
            {
                try { a(); }
                catch (Exception e) { Debug.LogError("[gamelake] " + e); }
            }
            running_.Clear();
        }
    }
}
