// Clang's thread-safety annotations (-Wthread-safety), as macros: under
// clang they let the compiler check the locking rules a class states —
// which mutex guards which member (GL_GUARDED_BY), which functions must be
// called with it held (GL_REQUIRES) or without it (GL_EXCLUDES), and in what
// order mutexes are taken (GL_ACQUIRED_AFTER). Under GCC they expand to
// nothing. The capabilities themselves are gl::Mutex and gl::SharedMutex
// (common/mutex.h); std::mutex carries no annotations in libstdc++, so a
// member guarded by one is not checked.
//
// scripts/check_thread_safety.sh compiles every source file with clang and
// -Wthread-safety -Werror; the test command runs it.
#ifndef GAMELAKE_COMMON_THREAD_ANNOTATIONS_H_
#define GAMELAKE_COMMON_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define GL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GL_THREAD_ANNOTATION(x)
#endif

// On a class: it is a capability (a mutex); `name` appears in messages.
#define GL_CAPABILITY(name) GL_THREAD_ANNOTATION(capability(name))
// On a class: an RAII holder that acquires in its constructor, releases in its destructor.
#define GL_SCOPED_CAPABILITY GL_THREAD_ANNOTATION(scoped_lockable)
// On a member: read or written only with `x` held (shared for reads).
#define GL_GUARDED_BY(x) GL_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: the pointee is read or written only with `x` held.
#define GL_PT_GUARDED_BY(x) GL_THREAD_ANNOTATION(pt_guarded_by(x))
// On a mutex member: it is taken after (before) the ones named, never the other way.
#define GL_ACQUIRED_AFTER(...) GL_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define GL_ACQUIRED_BEFORE(...) GL_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
// On a function: the caller holds these, exclusively (shared).
#define GL_REQUIRES(...) GL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define GL_REQUIRES_SHARED(...) GL_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// On a function: it takes (gives back) these and returns holding them (not).
#define GL_ACQUIRE(...) GL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define GL_ACQUIRE_SHARED(...) GL_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define GL_RELEASE(...) GL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define GL_RELEASE_SHARED(...) GL_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define GL_RELEASE_GENERIC(...) GL_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define GL_TRY_ACQUIRE(...) GL_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// On a function: the caller must not hold these (it takes them itself).
#define GL_EXCLUDES(...) GL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: it checks at run time that the capability is held.
#define GL_ASSERT_CAPABILITY(x) GL_THREAD_ANNOTATION(assert_capability(x))
#define GL_ASSERT_SHARED_CAPABILITY(x) GL_THREAD_ANNOTATION(assert_shared_capability(x))
// On a function: it returns a reference to the capability named.
#define GL_RETURN_CAPABILITY(x) GL_THREAD_ANNOTATION(lock_returned(x))
// On a function: not checked. Every use says why in a comment.
#define GL_NO_THREAD_SAFETY_ANALYSIS GL_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // GAMELAKE_COMMON_THREAD_ANNOTATIONS_H_
