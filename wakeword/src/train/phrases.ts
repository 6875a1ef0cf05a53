/**
 * What the trainer makes its voices say besides the wake phrase. None of these may contain it:
 * `plan.ts` drops any that do, whatever the phrase.
 */

/** Said right after the wake phrase ("hey hugh, what time is it"). */
export const COMMANDS = [
  'what time is it',
  'turn on the kitchen lights',
  'set a timer for five minutes',
  'what is the weather tomorrow',
  'play some music',
  'how long is left on the timer',
  'turn off the lights',
  'what day is it',
  'stop',
  'volume up',
  'cancel the timer',
  'tell me a joke',
  'switch on the fan',
  'what is on my calendar today',
];

/** Ordinary household speech: the bulk of what a satellite hears. */
export const SENTENCES = [
  'the weather is nice and the kids are playing outside',
  'could you pass me the salt please',
  'I think we should leave at seven tomorrow morning',
  'dinner is almost ready, wash your hands',
  'did anyone see where I put my keys',
  'the train was late again this morning',
  'we need milk, eggs and some bread',
  'turn the television down a little',
  'hello there, good morning',
  'the jar is on the shelf next to the window',
  'my brother is coming over on saturday',
  'have you finished your homework yet',
  'it is going to rain later this afternoon',
  'what would you like for breakfast',
  'I can not find the remote control anywhere',
  'the meeting has been moved to thursday',
  'let us go for a walk in the park',
  'please close the door behind you',
  'who left the lights on in the garage',
  'the cat is sleeping on the sofa again',
  'you should call your grandmother tonight',
  'I will be home a bit late today',
  'how was school today',
  'the garden needs watering',
  'do you want tea or coffee',
  'we are running out of washing powder',
  'happy birthday, I hope you like the present',
  'the car needs new tyres before winter',
  'that film was much better than I expected',
  'you are welcome, it was no trouble at all',
];

/** Wake words of other assistants and phrases that share sounds with many wake phrases. */
export const GENERIC_CONFUSABLES = [
  'hey you',
  'hey, you there',
  'hey google',
  'ok google',
  'hey jarvis',
  'hey siri',
  'alexa',
  'hey mycroft',
  'hey there',
  'hey, how are you',
  'thank you',
  'see you later',
  'are you there',
  'can you hear me',
  'I love you',
  'you know what',
  'what do you think',
  'hello',
  'hey who is that',
  'hey',
];

/**
 * Words that sound like a word of a phrase, for phrases whose words are listed; a phrase's
 * confusables swap its last word for these. Homophones (hue, hew) must never appear here: they
 * ARE the wake word.
 */
export const SOUND_ALIKES: Record<string, string[]> = {
  hugh: ['hugo', 'huge', 'human', 'hubert', 'houston', 'humour', 'few', 'new', 'who', 'view', 'lou', 'stu', 'you'],
};
