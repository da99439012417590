# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: language = c++
"""The decoder's fast match in C++ against KenLM's own API (built by ``scripts/setup.sh``).

A window of the fast match is ``left context + span or candidate + right context``, scored as
KenLM's Python ``Model.score`` scores its text: from the begin-sentence or null-context state,
one ``BaseScore`` per word summed in a C ``float`` from 0, then ``</s>`` when ``eos``. All windows
of an arc share their left context, so its state and partial sum are computed once and each
candidate continues from them: the same ``BaseScore`` calls on the same states, the same float
additions in the same order, so the same floats as ``score_text`` on each window string.

Words cross in as packed ``WordIndex`` arrays (``bytes``), made once per text by :meth:`encode`
with the split KenLM's ``score`` makes (bytes split on ASCII whitespace), and kept per token and
per candidate word tuple.

Also here: the decoder's beam search (:meth:`FastMatch.search`) over :class:`LMState` (a KenLM
``State`` that compares and hashes as ``kenlm.State``), and ``KenlmModel.logprob``
(:meth:`FastMatch.logprob`). Each mirrors a Python reference in ``corrector/restore/decoder.py``
or ``corrector/lm/kenlm.py``, operation for operation; ``tests/test_fastmatch.py`` holds them
equal.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE, PyBytes_FromStringAndSize
from cpython.float cimport PyFloat_FromDouble
from cpython.long cimport PyLong_FromVoidPtr
from libcpp cimport bool as cbool
from libcpp.vector cimport vector

cimport cython


cdef extern from "lm/word_index.hh" namespace "lm":
    ctypedef unsigned WordIndex

cdef extern from "lm/state.hh" namespace "lm::ngram":
    cdef cppclass State:
        int Compare(const State& other) const

    size_t hash_value(const State& state)

cdef extern from "lm/virtual_interface.hh" namespace "lm::base" nogil:
    cdef cppclass Vocabulary:
        WordIndex Index(const char*)
        WordIndex EndSentence()

    ctypedef Vocabulary const_Vocabulary "const lm::base::Vocabulary"

    cdef cppclass Model:
        void BeginSentenceWrite(void*)
        void NullContextWrite(void*)
        unsigned int Order()
        const_Vocabulary& BaseVocabulary()
        float BaseScore(const void* in_state, WordIndex new_word, void* out_state)

cdef extern from "util/mmap.hh" namespace "util":
    cdef enum LoadMethod:
        LAZY

cdef extern from "lm/config.hh" namespace "lm::ngram":
    cdef cppclass Config:
        Config()
        LoadMethod load_method
        cbool show_progress

cdef extern from "lm/model.hh" namespace "lm::ngram":
    cdef Model* LoadVirtual(const char*, const Config&) except +


cdef inline float _advance(Model* model, State* state, State* scratch, const WordIndex* ids,
                           Py_ssize_t count, float total) noexcept nogil:
    """Score ``count`` words from ``state`` (left at the last word's state), adding each to ``total``."""
    cdef Py_ssize_t i
    for i in range(count):
        total += model.BaseScore(state, ids[i], scratch)
        state[0] = scratch[0]
    return total


@cython.freelist(256)
cdef class LMState:
    """A KenLM state, hashable and compared as ``kenlm.State`` is (its words, not its backoffs)."""

    cdef State state

    def __hash__(self):
        return <Py_hash_t>hash_value(self.state)

    def __richcmp__(self, other, int op):
        if not isinstance(other, LMState):
            return NotImplemented
        cdef int r = self.state.Compare((<LMState>other).state)
        if op == 2:
            return r == 0
        if op == 3:
            return r != 0
        if op == 0:
            return r < 0
        if op == 1:
            return r <= 0
        if op == 4:
            return r > 0
        return r >= 0


cdef class FastMatch:
    """One KenLM model (``model.bin``, memory-mapped): the fast match's window scoring, and the
    decoder's word-by-word transitions as :class:`LMState` objects.

    ``prepare``: the model form of a token (``KenlmModel.prepare``); a token's vocabulary id is
    looked up once and kept (a bounded table), as KenLM's ``BaseScore`` looks up the whole form.
    """

    cdef Model* model
    cdef WordIndex end_sentence
    cdef readonly unsigned int order
    cdef object prepare
    cdef dict word_ids
    cdef dict token_packed
    cdef dict words_packed

    def __cinit__(self, str path, prepare=None):
        cdef Config config
        config.load_method = LAZY
        config.show_progress = False
        encoded = path.encode("utf-8")
        self.model = LoadVirtual(encoded, config)
        self.end_sentence = self.model.BaseVocabulary().EndSentence()
        self.order = self.model.Order()
        self.prepare = prepare
        self.word_ids = {}
        self.token_packed = {}
        self.words_packed = {}

    cdef WordIndex _word_id(self, str word) except? 0:
        found = self.word_ids.get(word)
        if found is not None:
            return <WordIndex>found
        form = self.prepare(word) if self.prepare is not None else word
        cdef WordIndex index = self.model.BaseVocabulary().Index(<bytes>(<str>form).encode("utf-8"))
        if len(self.word_ids) >= 500_000:
            self.word_ids.clear()
        self.word_ids[word] = index
        return index

    def begin_state(self):
        """The begin-sentence state."""
        cdef LMState out = LMState.__new__(LMState)
        self.model.BeginSentenceWrite(&out.state)
        return out

    def null_state(self):
        """The null-context state."""
        cdef LMState out = LMState.__new__(LMState)
        self.model.NullContextWrite(&out.state)
        return out

    def score_word(self, LMState state, str word):
        """``(log10 p(word | state), the next state)``: ``BaseScore`` of the word's model form."""
        cdef WordIndex index = self._word_id(word)
        cdef LMState out = LMState.__new__(LMState)
        cdef float score = self.model.BaseScore(&state.state, index, &out.state)
        return score, out

    def score_end(self, LMState state):
        """log10 p(</s> | state)."""
        cdef State out
        cdef float score = self.model.BaseScore(&state.state, self.end_sentence, &out)
        return score

    def __dealloc__(self):
        if self.model is not NULL:
            del self.model

    def encode(self, str text):
        """``text``'s words as packed vocabulary ids, split as KenLM's ``Model.score`` splits;
        None when ``text`` holds a NUL byte (KenLM's ``score`` reads it as the end of the text)."""
        encoded = text.encode("utf-8")
        if b"\0" in encoded:
            return None
        cdef list words = encoded.split()
        cdef Py_ssize_t n = len(words), i
        out = PyBytes_FromStringAndSize(NULL, n * sizeof(WordIndex))
        cdef WordIndex* ids = <WordIndex*>PyBytes_AS_STRING(out)
        cdef const Vocabulary* vocab = &self.model.BaseVocabulary()
        for i in range(n):
            ids[i] = vocab.Index(<bytes>words[i])
        return out

    def encode_token(self, str token):
        """:meth:`encode` of the token's model form (``prepare(token)``), kept per token (a
        bounded table); None when it holds a NUL byte."""
        found = self.token_packed.get(token, self)
        if found is not self:
            return found
        packed = self.encode(self.prepare(token) if self.prepare is not None else token)
        if len(self.token_packed) >= 500_000:
            self.token_packed.clear()
        self.token_packed[token] = packed
        return packed

    def pack_candidates(self, tuple candidates, prepared_text):
        """:meth:`encode_all` of each candidate's model form (``prepared_text(candidate.words)``),
        kept per word tuple (a bounded table); None when one holds a NUL byte."""
        cdef list parts = []
        cdef WordIndex count
        cdef dict table = self.words_packed
        for candidate in candidates:
            words = candidate.words
            packed = table.get(words, self)
            if packed is self:
                ids = self.encode(prepared_text(words))
                if ids is None:
                    packed = None
                else:
                    count = <WordIndex>(PyBytes_GET_SIZE(ids) // sizeof(WordIndex))
                    packed = PyBytes_FromStringAndSize(<char*>&count, sizeof(WordIndex)) + ids
                if len(table) >= 500_000:
                    table.clear()
                table[words] = packed
            if packed is None:
                return None
            parts.append(packed)
        return b"".join(parts)

    def logprob(self, words, bint bos, bint eos):
        """KenLM's ``Model.score`` of the words' model forms joined by spaces (the floats of
        ``KenlmModel.logprob``); None when a form holds a NUL byte."""
        cdef State state, scratch
        cdef float total = 0.0
        cdef bytes packed
        if bos:
            self.model.BeginSentenceWrite(&state)
        else:
            self.model.NullContextWrite(&state)
        for word in words:
            found = self.encode_token(word)
            if found is None:
                return None
            packed = <bytes>found
            total = _advance(self.model, &state, &scratch, <const WordIndex*>PyBytes_AS_STRING(packed),
                             PyBytes_GET_SIZE(packed) // sizeof(WordIndex), total)
        if eos:
            total += self.model.BaseScore(&state, self.end_sentence, &scratch)
        return total

    def encode_all(self, list texts):
        """:meth:`encode` of each of ``texts``, as one packed list: per text its word count, then
        its ids (the layout :meth:`windows` reads); None when one holds a NUL byte."""
        cdef list parts = []
        cdef WordIndex count
        for text in texts:
            ids = self.encode(text)
            if ids is None:
                return None
            count = <WordIndex>(PyBytes_GET_SIZE(ids) // sizeof(WordIndex))
            parts.append(PyBytes_FromStringAndSize(<char*>&count, sizeof(WordIndex)))
            parts.append(ids)
        return b"".join(parts)

    def windows(self, bytes left, bint bos, bytes span, bytes candidates, bytes right, bint eos):
        """``(span's window score, [each candidate's window score])``: the floats of
        ``score_text(left + X + right, bos, eos)`` for X = the span, then each candidate
        (``candidates`` as :meth:`encode_all` packs them)."""
        cdef State context, state, scratch
        cdef Model* model = self.model
        cdef float prefix, total
        cdef const WordIndex* ids
        cdef const WordIndex* right_ids = <const WordIndex*>PyBytes_AS_STRING(right)
        cdef Py_ssize_t right_count = PyBytes_GET_SIZE(right) // sizeof(WordIndex)
        cdef Py_ssize_t pos = 0, size, count
        cdef WordIndex end = self.end_sentence
        if bos:
            model.BeginSentenceWrite(&context)
        else:
            model.NullContextWrite(&context)
        prefix = _advance(model, &context, &scratch, <const WordIndex*>PyBytes_AS_STRING(left),
                          PyBytes_GET_SIZE(left) // sizeof(WordIndex), 0.0)
        state = context
        total = _advance(model, &state, &scratch, <const WordIndex*>PyBytes_AS_STRING(span),
                         PyBytes_GET_SIZE(span) // sizeof(WordIndex), prefix)
        total = _advance(model, &state, &scratch, right_ids, right_count, total)
        if eos:
            total += model.BaseScore(&state, end, &scratch)
        span_score = PyFloat_FromDouble(total)
        ids = <const WordIndex*>PyBytes_AS_STRING(candidates)
        size = PyBytes_GET_SIZE(candidates) // sizeof(WordIndex)
        cdef list scores = []
        while pos < size:
            count = ids[pos]
            state = context
            total = _advance(model, &state, &scratch, ids + pos + 1, count, prefix)
            total = _advance(model, &state, &scratch, right_ids, right_count, total)
            if eos:
                total += model.BaseScore(&state, end, &scratch)
            scores.append(PyFloat_FromDouble(total))
            pos += count + 1
        return span_score, scores

    def prefilter(self, dict grouped, list token_ids, dict scored_arcs, lm, double channel_weight,
                  double change_penalty, double margin, Py_ssize_t context, dict terms, make_terms,
                  same_words, arc_class, python_windows):
        """``corrector.restore.decoder.prefilter``'s loop (its reference) in C++: arcs by start,
        each keeping the candidates whose gain (window score + weighted channel score) exceeds
        the kept span's window score + ``change_penalty`` - ``margin``. Same memo entries
        (``scored_arcs``), same floats and comparisons, same arcs.

        ``token_ids``: each token's :meth:`encode`; ``terms``/``make_terms``: the decoder's
        per-candidate-list table and the function that fills it; ``python_windows(start, end,
        candidates)``: the Python window scores, for a candidate list :meth:`pack_candidates`
        refused.
        Raises ValueError on an arc outside the tokens."""
        cdef Py_ssize_t n = len(token_ids), i, start, end, count, size, k, kept_count
        cdef vector[WordIndex] ids
        cdef vector[Py_ssize_t] offsets
        cdef bytes token
        cdef const WordIndex* raw
        offsets.push_back(0)
        for i in range(n):
            token = <bytes>token_ids[i]
            raw = <const WordIndex*>PyBytes_AS_STRING(token)
            count = PyBytes_GET_SIZE(token) // sizeof(WordIndex)
            for k in range(count):
                ids.push_back(raw[k])
            offsets.push_back(ids.size())
        cdef const WordIndex* base = ids.data()
        cdef Model* model = self.model
        cdef WordIndex end_word = self.end_sentence
        cdef State context_state, state, scratch
        cdef float prefix, total
        cdef bint bos, eos, left_done
        cdef Py_ssize_t right_begin, right_count
        cdef const WordIndex* cand
        cdef double threshold, gain
        cdef tuple entry, found, candidates
        cdef list arcs, kept_arcs, window_scores, channel, survivors
        cdef list flags = []
        cdef dict kept = {}
        for start_obj, arcs_obj in grouped.items():
            start = start_obj
            arcs = <list>arcs_obj
            bos = start - context <= 0
            left_done = False
            kept_arcs = []
            for arc in arcs:
                candidates = <tuple>arc.candidates
                end_obj = arc.end
                end = end_obj
                if start < 0 or end < start or end > n:
                    raise ValueError(f"arc [{start}, {end}) outside the sentence's {n} tokens")
                found = <tuple>terms.get(PyLong_FromVoidPtr(<void*>candidates))
                if (found is None or found[0] is not candidates or found[1] is not lm
                        or found[2] != channel_weight):
                    found = <tuple>make_terms(candidates, lm, channel_weight, self)
                key = (start_obj, end_obj)
                entry = <tuple>scored_arcs.get(key)
                if entry is None or (entry[0] is not arc and not same_words(entry[0], arc)):
                    packed = found[5]
                    if packed is None:
                        span_score, window_scores = python_windows(start, end, candidates)
                    else:
                        eos = end + context >= n
                        if not left_done:
                            # The left context's state and partial sum, shared by the arcs of
                            # this start and all their candidates.
                            if bos:
                                model.BeginSentenceWrite(&context_state)
                            else:
                                model.NullContextWrite(&context_state)
                            i = start - context if start > context else 0
                            prefix = _advance(model, &context_state, &scratch, base + offsets[i],
                                              offsets[start] - offsets[i], 0.0)
                            left_done = True
                        right_begin = offsets[end]
                        right_count = offsets[end + context if end + context < n else n] - right_begin
                        state = context_state
                        total = _advance(model, &state, &scratch, base + offsets[start],
                                         offsets[end] - offsets[start], prefix)
                        total = _advance(model, &state, &scratch, base + right_begin, right_count, total)
                        if eos:
                            total += model.BaseScore(&state, end_word, &scratch)
                        span_score = total
                        window_scores = []
                        cand = <const WordIndex*>PyBytes_AS_STRING(<bytes>packed)
                        size = PyBytes_GET_SIZE(<bytes>packed) // sizeof(WordIndex)
                        k = 0
                        while k < size:
                            count = cand[k]
                            state = context_state
                            total = _advance(model, &state, &scratch, cand + k + 1, count, prefix)
                            total = _advance(model, &state, &scratch, base + right_begin, right_count,
                                             total)
                            if eos:
                                total += model.BaseScore(&state, end_word, &scratch)
                            window_scores.append(total)
                            k += count + 1
                    entry = (arc, span_score, window_scores)
                    scored_arcs[key] = entry
                # Python: entry[1] + change_penalty - margin, then score + channel per candidate
                # and ``gain > threshold``: the same double operations.
                threshold = <double>entry[1] + change_penalty - margin
                window_scores = <list>entry[2]
                channel = <list>found[4]
                count = len(candidates)
                if len(window_scores) != count or len(channel) != count:
                    raise ValueError("window scores, channel scores and candidates differ in length")
                kept_count = 0
                for k in range(count):
                    gain = <double>window_scores[k] + <double>channel[k]
                    if gain > threshold:
                        kept_count += 1
                if kept_count == 0:
                    continue
                if kept_count == count:
                    kept_arcs.append(arc)
                    continue
                survivors = []
                for k in range(count):
                    gain = <double>window_scores[k] + <double>channel[k]
                    if gain > threshold:
                        survivors.append(candidates[k])
                kept_arcs.append(arc_class(start_obj, end_obj, tuple(survivors)))
            if kept_arcs:
                kept[start_obj] = kept_arcs
        return kept

    cdef list _prune_one(self, list hypotheses, Py_ssize_t beam, score_of):
        """``decoder._prune`` with ``per_state`` 1: the best hypothesis of each state (the first
        of equal scores), then the ``beam`` best, sorted stably by score, highest first."""
        cdef dict best = {}
        cdef tuple hyp, kept
        for item in hypotheses:
            hyp = <tuple>item
            state = hyp[2]
            kept = <tuple>best.get(state)
            if kept is None or <double>hyp[0] > <double>kept[0]:
                best[state] = hyp
        if len(best) == 1:
            return list(best.values())
        return sorted(best.values(), key=score_of, reverse=True)[:beam]

    def search(self, tuple tokens, dict moves, dict transitions, double change_penalty,
               Py_ssize_t beam, Py_ssize_t per_state, prune, score_of):
        """``corrector.restore.decoder._decode``'s beam search (its reference) over
        :class:`LMState` transitions: the hypotheses reaching the end of the sentence, before
        the last pruning. The same hypothesis tuples, float operations, memo (``transitions``)
        entries and order; a transition the memo lacks is scored in C++ without a Python call."""
        cdef Py_ssize_t n = len(tokens), i
        cdef list frontier = [[] for _ in range(n + 1)]
        cdef list current, following, outgoing, target
        cdef tuple hyp, hit, move, words, segment, key
        cdef double score, lm_logprob, logprob, channel, total
        cdef LMState state, after, out
        cdef object token, word
        cdef tuple empty = ()
        frontier[0] = [(0.0, 0.0, self.begin_state(), None, (), None)]
        for i in range(n):
            if per_state == 1:
                current = self._prune_one(<list>frontier[i], beam, score_of)
            else:
                current = prune(frontier[i], beam, per_state)
            frontier[i] = []
            token = tokens[i]
            segment = (token,)
            following = <list>frontier[i + 1]
            found = moves.get(i)
            outgoing = <list>found if found is not None else []
            for item in current:
                hyp = <tuple>item
                score = <double>hyp[0]
                lm_logprob = <double>hyp[1]
                state = <LMState>hyp[2]
                key = (state, token)
                hit = <tuple>transitions.get(key)
                if hit is None:
                    hit = self._transition(state, token)
                    transitions[key] = hit
                # The same float operations, in the same order, as scoring the step on its own.
                logprob = 0.0 + <double>hit[0]
                following.append((score + logprob, lm_logprob + logprob, hit[1], hyp, segment, None))
                for entry in outgoing:
                    move = <tuple>entry
                    words = <tuple>move[1]
                    channel = <double>move[2]
                    logprob = 0.0
                    after = state
                    for word in words:
                        key = (after, word)
                        hit = <tuple>transitions.get(key)
                        if hit is None:
                            hit = self._transition(after, word)
                            transitions[key] = hit
                        logprob += <double>hit[0]
                        after = <LMState>hit[1]
                    total = score + logprob + channel - change_penalty
                    target = <list>frontier[<Py_ssize_t>move[0]]
                    target.append((total, lm_logprob + logprob, after, hyp, words, move))
        return frontier[n]

    cdef tuple _transition(self, LMState state, str word):
        cdef WordIndex index = self._word_id(word)
        cdef LMState out = LMState.__new__(LMState)
        cdef float score = self.model.BaseScore(&state.state, index, &out.state)
        return (score, out)
