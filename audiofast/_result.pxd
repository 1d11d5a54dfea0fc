# Declaration of the result types shared by both builds of the core (_core and _core_avx2
# cimport them), so that `audiofast.VADResult` is one class whichever build runs.

cdef class VADResult:
    cdef readonly object speech, energy_db, threshold_db, segments
    cdef readonly Py_ssize_t first_frame, frame_length, hop_length
    cdef readonly double sample_rate


cdef class SpeechEvent:
    cdef readonly str kind
    cdef readonly long long sample
    cdef readonly double time_s
    cdef readonly object audio


cdef class FrontendResult:
    cdef readonly object audio, events
    cdef readonly bint in_speech
