"""Static reference data for Better Work's assessment framework (Compliance Assessment Tool, "CAT").

What lives here
---------------
* The three-level assessment model: cluster -> compliance point (CP) -> question, as frozen
  dataclasses (:class:`ClusterSpec`, :class:`CompliancePointSpec`, :class:`QuestionSpec`) and the
  tuple :data:`CLUSTERS` with the 8 clusters in the order of DOMAIN.md.
* Per-CP ``base_nc_rate``: the share of assessed factories in a typical country that are
  non-compliant on the CP (a factory is non-compliant on a CP if ANY of its non-compliance
  questions has a finding of non-compliance). Used by the demo data generator.
* :data:`COUNTRY_FACTORS` (per-country, per-cluster multipliers of ``base_nc_rate``) and
  :data:`COUNTRY_PROFILES` (cities with coordinates, typical factory size, share of women,
  share of the demo factory population) for Better Work's country footprint.

Where the facts come from
-------------------------
/work/shared/DOMAIN.md section 2 (itself compiled from Better Work's FAQ, Transparency Portal,
compliance synthesis reports and its analysis manual). The cluster names and the compliance-point
names are taken from there; CP names marked "?" in DOMAIN.md (e.g. "Bonded Labour", "Premium Pay",
"Worker Accommodation", "Leave", "Regular Hours") are NOT confirmed verbatim against Better Work's
CAT and are used here with the "?" dropped.

The question texts are written in Better Work's style (two examples in DOMAIN.md are verbatim) but
are otherwise illustrative: they are not Better Work's official question list, and the real CAT is
adapted to national law in every country. The ``public_disclosure`` tags imitate the ~21-29 issues
that Better Work's Transparency Portal publishes by factory name, but the exact selection here is
ours. ``base_nc_rate`` values follow the magnitudes in DOMAIN.md §2; country factors and profiles
are illustrative values for demo data only.

Standard library only: no Streamlit, no database imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CLUSTERS",
    "COUNTRY_FACTORS",
    "COUNTRY_PROFILES",
    "QUESTION_KINDS",
    "ClusterSpec",
    "CompliancePointSpec",
    "QuestionSpec",
    "iter_questions",
    "question_count",
]

#: The two question types of the CAT. Information-only questions are excluded from every rate.
QUESTION_KINDS: tuple[str, ...] = ("non_compliance", "information")


@dataclass(frozen=True)
class QuestionSpec:
    """One assessment question, e.g. code ``"OSH.3.04"``.

    ``kind`` is ``"non_compliance"`` (yes/no finding) or ``"information"`` (information only).
    ``public_disclosure`` marks issues that a Transparency Portal-style page publishes by factory.
    """

    code: str
    text: str
    kind: str
    public_disclosure: bool


@dataclass(frozen=True)
class CompliancePointSpec:
    """A compliance point, e.g. code ``"OSH.3"``.

    ``base_nc_rate`` is the share (0..1) of assessed factories non-compliant on this CP in a
    typical country.
    """

    code: str
    name: str
    questions: tuple[QuestionSpec, ...]
    base_nc_rate: float


@dataclass(frozen=True)
class ClusterSpec:
    """A cluster, e.g. code ``"OSH"``; ``core`` is True for the four core labour standards."""

    code: str
    name: str
    core: bool
    compliance_points: tuple[CompliancePointSpec, ...]


# ---------------------------------------------------------------------------------------------
# Raw framework table.
# Each question is (marker, text): "N" = non-compliance question, "P" = non-compliance question
# with the public-disclosure tag, "I" = information-only question.
# Codes are derived from position: cluster "OSH", 3rd CP -> "OSH.3", its 4th question -> "OSH.3.04".
# ---------------------------------------------------------------------------------------------

_RawQuestion = tuple[str, str]
_RawCP = tuple[str, float, tuple[_RawQuestion, ...]]
_RawCluster = tuple[str, str, bool, tuple[_RawCP, ...]]

_RAW: tuple[_RawCluster, ...] = (
    (
        "CL",
        "Child Labour",
        True,
        (
            (
                "Child Labourers",
                0.02,
                (
                    ("P", "Are there child workers under the legal minimum working age in the "
                          "factory?"),
                    ("N", "Does the employer reliably verify the age of workers prior to hiring?"),
                    ("N", "Are any children under the minimum age working for the factory through "
                          "subcontractors or home workers?"),
                    ("N", "Does the employer keep copies of age-verification documents, such as a "
                          "birth certificate or national ID, for all workers?"),
                    ("N", "Does the employer have a remediation plan for any child found working "
                          "in the factory?"),
                ),
            ),
            (
                "Documentation and Protection of Young Workers",
                0.05,
                (
                    ("I", "Does the factory employ young workers between the minimum working age "
                          "and 18?"),
                    ("N", "Does the employer keep a register of young workers with their dates of "
                          "birth?"),
                    ("N", "Does the employer comply with legal restrictions on the working hours "
                          "of young workers?"),
                    ("N", "Are young workers prohibited from working at night?"),
                    ("N", "Has the employer obtained the medical certificates required by law for "
                          "young workers?"),
                ),
            ),
            (
                "Hazardous Work and other Worst Forms",
                0.02,
                (
                    ("P", "Are workers under 18 performing hazardous work?"),
                    ("N", "Are workers under 18 exposed to hazardous chemicals, heavy loads or "
                          "dangerous machinery?"),
                    ("N", "Do workers under 18 work overtime?"),
                ),
            ),
            (
                "Unconditional Worst Forms",
                0.01,
                (
                    ("P", "Are there children in the factory who are subjected to forced labour, "
                          "trafficking or other unconditional worst forms of child labour?"),
                    ("N", "Are any children working in the factory in conditions of bonded labour "
                          "or debt bondage?"),
                    ("N", "Were any children recruited into the factory through trafficking or "
                          "deception?"),
                ),
            ),
        ),
    ),
    (
        "DISC",
        "Discrimination",
        True,
        (
            (
                "Race and Origin",
                0.05,
                (
                    ("P", "Does the employer discriminate on the basis of race, colour or national "
                          "extraction in hiring, pay, promotion or termination?"),
                    ("N", "Are migrant workers paid the same as national workers for work of "
                          "equal value?"),
                    ("N", "Do job advertisements or recruitment practices exclude applicants "
                          "based on ethnicity or origin?"),
                    ("N", "Are workers of a particular ethnic or national origin assigned to less "
                          "favourable jobs or shifts?"),
                    ("N", "Does the employer discriminate against workers on the basis of social "
                          "origin or caste?"),
                ),
            ),
            (
                "Religion and Political Opinion",
                0.03,
                (
                    ("P", "Does the employer discriminate against workers on the basis of "
                          "religion or political opinion?"),
                    ("N", "Does the employer ask job applicants about their religion or political "
                          "views?"),
                    ("N", "Does the employer allow workers to observe religious practices as "
                          "required by law?"),
                    ("N", "Are workers disciplined or dismissed because of their political "
                          "activities outside work?"),
                ),
            ),
            (
                "Gender",
                0.25,
                (
                    ("P", "Does the employer require pregnancy tests or the use of contraception "
                          "as a condition of employment?"),
                    ("P", "Does the employer terminate workers who are pregnant or on maternity "
                          "leave or force them to resign?"),
                    ("N", "Are women and men paid equally for work of equal value?"),
                    ("N", "Does the workplace have a policy and procedure to prevent and address "
                          "sexual harassment?"),
                    ("N", "Are there cases of sexual harassment, including physical, verbal or "
                          "non-verbal conduct, in the workplace?"),
                    ("N", "Does the employer take gender into account when making decisions on "
                          "hiring, promotion or job assignments?"),
                    ("N", "Do workers return to the same or an equivalent position after "
                          "maternity leave?"),
                    ("I", "How many supervisors and managers are women?"),
                ),
            ),
            (
                "Other Grounds",
                0.08,
                (
                    ("N", "Does the employer discriminate against workers on the basis of their "
                          "HIV/AIDS status?"),
                    ("N", "Does the employer require HIV tests of job applicants or workers?"),
                    ("N", "Does the employer discriminate against workers on the basis of age or "
                          "disability?"),
                    ("I", "How many workers are persons with disabilities?"),
                ),
            ),
        ),
    ),
    (
        "FL",
        "Forced Labour",
        True,
        (
            (
                "Bonded Labour",
                0.02,
                (
                    ("P", "Are workers bonded to the factory by debts, such as loans or "
                          "recruitment fees owed to the employer or a labour agent?"),
                    ("N", "Did workers pay recruitment fees or related costs to obtain their "
                          "job?"),
                    ("N", "Does the employer withhold wages or deposits to prevent workers from "
                          "leaving?"),
                    ("I", "How many workers are migrant workers?"),
                ),
            ),
            (
                "Coercion",
                0.12,
                (
                    ("P", "Does the employer retain workers' passports, identity documents or "
                          "other personal documents against their will?"),
                    ("N", "Does the employer restrict workers' freedom of movement, including "
                          "confining them to the factory or dormitory?"),
                    ("N", "Does the employer use threats, violence or intimidation to make "
                          "workers work?"),
                    ("N", "Are workers free to resign from their job with reasonable notice?"),
                    ("N", "Does the employer impose financial penalties on workers for resigning "
                          "or for refusing work?"),
                    ("N", "Were workers deceived about the nature or conditions of the work when "
                          "they were recruited?"),
                    ("N", "Does the employer threaten to report migrant workers to the "
                          "authorities to keep them working?"),
                ),
            ),
            (
                "Forced Labour and Overtime",
                0.04,
                (
                    ("P", "Are workers forced to work overtime under threat of penalty?"),
                    ("N", "Can workers refuse overtime without punishment or dismissal?"),
                    ("N", "Are workers required to work overtime to reach production targets in "
                          "order to earn the minimum wage?"),
                    ("N", "Does the employer lock workers in the workplace to make them work "
                          "overtime?"),
                ),
            ),
            (
                "Prison Labour",
                0.01,
                (
                    ("P", "Does the factory use prison labour or involuntary labour from other "
                          "institutions?"),
                    ("N", "Does the factory subcontract work to prisons or detention centres?"),
                    ("N", "Do any workers perform work in the factory as a condition of a court "
                          "sentence or compulsory service?"),
                ),
            ),
        ),
    ),
    (
        "FOA",
        "Freedom of Association and Collective Bargaining",
        True,
        (
            (
                "Collective Bargaining",
                0.12,
                (
                    ("I", "Is there a collective bargaining agreement in force in the factory?"),
                    ("N", "Does the employer bargain in good faith with the union?"),
                    ("N", "Does the employer comply with the collective bargaining agreement?"),
                    ("N", "Are the terms of the collective agreement at least as favourable as "
                          "those required by law?"),
                    ("N", "Does the employer provide the union with the information it needs for "
                          "meaningful bargaining?"),
                    ("N", "Does the employer consult the union where required by law before "
                          "changing working conditions?"),
                ),
            ),
            (
                "Freedom to Associate",
                0.08,
                (
                    ("I", "Is there a trade union in the factory?"),
                    ("I", "Is there more than one trade union in the factory?"),
                    ("P", "Does the employer prevent workers from forming or joining a union of "
                          "their choice?"),
                    ("N", "Are workers free to form and join a union without prior authorisation "
                          "from the employer?"),
                    ("N", "Does the employer require workers to join, or not to join, a "
                          "particular union?"),
                    ("N", "Are unions free to draw up their own rules and to elect their "
                          "representatives without employer involvement?"),
                ),
            ),
            (
                "Interference and Discrimination",
                0.30,
                (
                    ("P", "Does the employer interfere with the formation or the activities of "
                          "the union?"),
                    ("P", "Does the employer discriminate against workers for union membership or "
                          "participation in union activities?"),
                    ("N", "Does the employer try to control or finance the union?"),
                    ("N", "Has the employer dismissed, demoted or transferred union officials or "
                          "members because of their union activities?"),
                    ("N", "Does the employer monitor or intimidate workers who take part in union "
                          "activities?"),
                    ("N", "Does the employer favour one union over another?"),
                    ("N", "Does the employer influence the election of worker representatives?"),
                    ("N", "Did managers or supervisors discourage workers from joining a union?"),
                ),
            ),
            (
                "Strikes",
                0.05,
                (
                    ("P", "Does the employer punish workers for participating in a lawful "
                          "strike?"),
                    ("N", "Does the employer replace striking workers in violation of the law?"),
                    ("N", "Did the employer deduct wages from striking workers in violation of "
                          "the law?"),
                    ("N", "Does the employer use lockouts in violation of the law?"),
                    ("N", "Does the employer call in police or security forces to break up "
                          "peaceful strikes?"),
                ),
            ),
            (
                "Union Operations",
                0.15,
                (
                    ("N", "Does the employer allow union representatives reasonable paid time off "
                          "to carry out union duties?"),
                    ("N", "Does the employer deduct union dues when workers request it and "
                          "transfer them to the union?"),
                    ("N", "Does the employer provide the union with the facilities required by "
                          "law or the collective agreement?"),
                    ("N", "Can union representatives access the workplace to meet workers?"),
                    ("N", "Does the employer allow union meetings without management being "
                          "present?"),
                    ("I", "Is there a worker-management committee in the factory, such as a "
                          "Performance Improvement Consultative Committee?"),
                ),
            ),
        ),
    ),
    (
        "COMP",
        "Compensation",
        False,
        (
            (
                "Minimum Wages / Piece Rate Wages",
                0.15,
                (
                    ("P", "Did the employer pay workers at least the legal minimum wage for "
                          "ordinary hours?"),
                    ("N", "Are piece-rate workers paid at least the minimum wage for ordinary "
                          "hours?"),
                    ("N", "Does the employer pay trainees and probationary workers at least the "
                          "legal minimum wage for their category?"),
                    ("N", "Does the employer pay temporary and casual workers at least the "
                          "minimum wage?"),
                    ("N", "Does the employer pay the correct minimum wage for each worker's skill "
                          "grade?"),
                    ("I", "Are any workers paid on a piece-rate basis?"),
                    ("I", "What is the lowest monthly wage paid to a full-time worker in the "
                          "factory?"),
                ),
            ),
            (
                "Overtime Wages",
                0.22,
                (
                    ("P", "Did the employer pay workers the correct overtime rate for all "
                          "overtime hours worked?"),
                    ("N", "Are piece-rate workers paid the correct premium for overtime work?"),
                    ("N", "Does the employer pay overtime worked on weekly rest days and public "
                          "holidays at the legal rate?"),
                    ("N", "Are workers paid for all overtime hours, including work before and "
                          "after their shifts?"),
                    ("N", "Does the employer calculate overtime pay on the correct base wage, "
                          "including required allowances?"),
                    ("N", "Are workers required to work unrecorded and unpaid overtime to finish "
                          "production targets?"),
                ),
            ),
            (
                "Paid Leave",
                0.60,
                (
                    ("N", "Does the employer pay workers correctly for annual leave?"),
                    ("P", "Does the employer provide paid maternity leave as required by law?"),
                    ("N", "Are workers paid for public holidays as required by law?"),
                    ("N", "Does the employer pay workers correctly for sick leave?"),
                    ("N", "Does the employer pay workers for unused annual leave when their "
                          "employment ends?"),
                    ("N", "Does the employer pay workers correctly for paternity, bereavement or "
                          "other special leave?"),
                    ("N", "Does the employer pay workers during temporary factory shutdowns or "
                          "work stoppages as required by law?"),
                ),
            ),
            (
                "Method of Payment",
                0.12,
                (
                    ("P", "Did the employer pay wages on time and in full?"),
                    ("N", "Does the employer pay wages in legal tender or by another method "
                          "permitted by law?"),
                    ("N", "Are wages paid directly to workers rather than to labour agents or "
                          "supervisors?"),
                    ("N", "Are wages paid at least as often as required by law?"),
                    ("N", "Does the employer pay part of wages in kind without workers' "
                          "consent?"),
                    ("I", "Does the factory pay wages by bank transfer or mobile payment?"),
                ),
            ),
            (
                "Premium Pay",
                0.20,
                (
                    ("N", "Does the employer pay the required premium for night work?"),
                    ("N", "Does the employer pay the attendance, seniority and other allowances "
                          "required by law?"),
                    ("N", "Does the employer pay the festival bonus required by law?"),
                    ("N", "Does the employer pay the 13th-month salary or year-end bonus required "
                          "by law?"),
                    ("N", "Does the employer pay the hazard or special allowances required by "
                          "law?"),
                ),
            ),
            (
                "Social Security and Other Benefits",
                0.30,
                (
                    ("P", "Does the employer pay social security contributions for all eligible "
                          "workers?"),
                    ("N", "Does the employer pay the correct amount of social security "
                          "contributions?"),
                    ("N", "Does the employer remit to the social security fund all contributions "
                          "deducted from workers' wages?"),
                    ("N", "Does the employer provide the health insurance required by law?"),
                    ("N", "Does the employer provide the employment injury insurance required by "
                          "law?"),
                    ("N", "Does the employer provide the childcare or nursing allowances required "
                          "by law?"),
                    ("N", "Does the employer register all workers with the social security scheme "
                          "within the legal time limit?"),
                ),
            ),
            (
                "Wage Information, Use and Deduction",
                0.45,
                (
                    ("N", "Does the employer provide workers with an accurate payslip showing how "
                          "their wages are calculated?"),
                    ("N", "Does the employer make deductions from wages that are not permitted by "
                          "law?"),
                    ("N", "Does the employer keep one accurate and complete set of payroll "
                          "records?"),
                    ("N", "Does the employer inform workers about their wages and how they are "
                          "calculated before they start work?"),
                    ("N", "Does the employer use fines or wage deductions as a disciplinary "
                          "measure?"),
                    ("N", "Are workers' payroll records consistent with their time records?"),
                    ("N", "Does the employer obtain workers' written consent for deductions where "
                          "required by law?"),
                ),
            ),
        ),
    ),
    (
        "CHR",
        "Contracts and Human Resources",
        False,
        (
            (
                "Contracting Procedures",
                0.35,
                (
                    ("N", "Does the employer use repeated short-term contracts to avoid paying "
                          "the wages and benefits owed to permanent workers?"),
                    ("N", "Does the employer use subcontracted or agency workers to perform the "
                          "regular work of the factory in breach of the law?"),
                    ("N", "Does the employer ensure that agency workers receive the wages and "
                          "benefits required by law?"),
                    ("N", "Does the employer use probationary periods longer than the law "
                          "allows?"),
                    ("N", "Does the employer comply with the legal limits on the use and renewal "
                          "of fixed-term contracts?"),
                    ("I", "Does the factory use subcontractors for production?"),
                    ("I", "Does the factory use labour agencies or labour brokers to recruit "
                          "workers?"),
                    ("I", "How many workers are employed on fixed-term contracts?"),
                ),
            ),
            (
                "Dialogue, Discipline and Disputes",
                0.40,
                (
                    ("N", "Does the employer have an effective grievance mechanism that workers "
                          "can use without fear of retaliation?"),
                    ("N", "Does the employer have written disciplinary rules that workers "
                          "understand?"),
                    ("N", "Does the employer follow the procedures required by law when "
                          "disciplining workers?"),
                    ("N", "Do supervisors use verbal abuse, threats or humiliating treatment "
                          "towards workers?"),
                    ("N", "Does the employer use corporal punishment or physical violence against "
                          "workers?"),
                    ("N", "Does the employer consult workers on matters that affect them as "
                          "required by law?"),
                    ("N", "Does the employer comply with the dispute resolution procedures "
                          "required by law?"),
                    ("N", "Has the employer set up the worker committees required by law, such as "
                          "a participation committee?"),
                    ("N", "Does the employer keep records of grievances and how they were "
                          "resolved?"),
                ),
            ),
            (
                "Employment Contracts",
                0.45,
                (
                    ("N", "Do all workers have written employment contracts that comply with the "
                          "law?"),
                    ("N", "Does the employer give workers a copy of their employment contract?"),
                    ("N", "Do employment contracts include the terms required by law, such as "
                          "wages, hours and job description?"),
                    ("N", "Are employment contracts written in a language that workers "
                          "understand?"),
                    ("N", "Does the employer comply with the terms of the employment contracts?"),
                    ("N", "Does the employer keep complete personnel records for all workers?"),
                    ("N", "Does the employer give migrant workers contracts that match the terms "
                          "offered at recruitment?"),
                ),
            ),
            (
                "Termination",
                0.30,
                (
                    ("N", "Does the employer give workers the notice of termination required by "
                          "law?"),
                    ("N", "Does the employer pay the severance pay required by law to workers "
                          "whose employment is terminated?"),
                    ("N", "Does the employer terminate workers only for valid reasons as defined "
                          "by law?"),
                    ("N", "Does the employer follow the procedures required by law for collective "
                          "dismissals or retrenchment?"),
                    ("N", "Does the employer pay final wages and benefits within the legal "
                          "deadline when employment ends?"),
                    ("N", "Does the employer give workers a certificate of employment when they "
                          "leave?"),
                ),
            ),
        ),
    ),
    (
        "OSH",
        "Occupational Safety and Health",
        False,
        (
            (
                "Chemicals and Hazardous Substances",
                0.55,
                (
                    ("N", "Are chemicals and hazardous substances properly labelled?"),
                    ("N", "Does the employer keep chemical safety data sheets in the local "
                          "language at the place of use?"),
                    ("N", "Are chemicals and hazardous substances stored safely?"),
                    ("N", "Are workers trained on the safe handling and use of chemicals?"),
                    ("N", "Does the employer keep an inventory of all chemicals used in the "
                          "factory?"),
                    ("N", "Are there eyewash stations and emergency showers where workers handle "
                          "hazardous chemicals?"),
                    ("N", "Are chemical wastes disposed of safely and according to the law?"),
                    ("N", "Does the employer provide suitable protective equipment to workers who "
                          "handle chemicals?"),
                    ("N", "Does the employer monitor workers' exposure to chemicals and keep it "
                          "within legal limits?"),
                ),
            ),
            (
                "Emergency Preparedness",
                0.70,
                (
                    ("P", "Are emergency exits unlocked during working hours, including "
                          "overtime?"),
                    ("P", "Does the factory have a working fire detection and alarm system?"),
                    ("P", "Are there enough emergency exits, and are escape routes free of "
                          "obstruction?"),
                    ("P", "Does the factory have adequate fire-fighting equipment that is "
                          "regularly inspected?"),
                    ("N", "Are emergency exits and escape routes clearly marked and lit?"),
                    ("N", "Are fire and evacuation drills conducted regularly for all shifts?"),
                    ("N", "Does the employer post evacuation plans in the local language in each "
                          "work area?"),
                    ("N", "Are workers trained to use fire extinguishers?"),
                    ("N", "Is there emergency lighting that works during power failures?"),
                    ("N", "Do emergency exit doors open in the direction of evacuation?"),
                ),
            ),
            (
                "Health Services and First Aid",
                0.50,
                (
                    ("N", "Are there enough first aid kits, stocked as required by law?"),
                    ("N", "Does the employer have enough trained first aiders on each shift?"),
                    ("N", "Does the factory have the medical staff and facilities required by "
                          "law?"),
                    ("N", "Does the employer provide the periodic medical examinations required by "
                          "law?"),
                    ("N", "Does the employer provide the pre-employment medical checks required by "
                          "law?"),
                    ("N", "Does the employer have arrangements to transport injured workers to "
                          "hospital?"),
                    ("N", "Does the factory keep a record of first aid and medical treatment given "
                          "to workers?"),
                ),
            ),
            (
                "OSH Management Systems",
                0.75,
                (
                    ("N", "Does the employer have a written OSH policy?"),
                    ("N", "Has the employer carried out a workplace risk assessment?"),
                    ("N", "Is there a functioning OSH committee with worker representatives, as "
                          "required by law?"),
                    ("N", "Does the employer record and report work-related accidents and "
                          "illnesses as required by law?"),
                    ("N", "Does the employer investigate accidents and take action to prevent "
                          "them from recurring?"),
                    ("N", "Does the factory have the building, electrical and fire safety permits "
                          "required by law?"),
                    ("N", "Does the employer provide OSH training to all workers?"),
                    ("N", "Does the employer have a qualified person responsible for OSH as "
                          "required by law?"),
                    ("I", "How many workers were injured at work in the past 12 months?"),
                    ("I", "Does the factory operate in a building shared with other "
                          "businesses?"),
                ),
            ),
            (
                "Welfare Facilities",
                0.50,
                (
                    ("N", "Are there enough clean toilets for the number of workers, separate for "
                          "men and women?"),
                    ("N", "Is safe drinking water freely available to workers?"),
                    ("N", "Does the employer provide adequate hand-washing facilities with "
                          "soap?"),
                    ("N", "Does the employer provide a clean eating area separate from the work "
                          "area?"),
                    ("N", "Does the employer provide a childcare facility or lactation room as "
                          "required by law?"),
                    ("N", "Are workers able to use the toilets and drink water without "
                          "restrictions?"),
                    ("N", "Does the employer provide changing rooms or lockers as required by "
                          "law?"),
                    ("N", "Is canteen food prepared and served hygienically?"),
                ),
            ),
            (
                "Worker Accommodation",
                0.45,
                (
                    ("I", "Does the employer provide accommodation for workers?"),
                    ("N", "Does worker accommodation meet legal requirements for space, "
                          "ventilation and lighting?"),
                    ("N", "Does worker accommodation have adequate fire safety measures and "
                          "emergency exits?"),
                    ("N", "Are there enough clean toilets and bathing facilities in worker "
                          "accommodation?"),
                    ("N", "Is worker accommodation separated from production areas and "
                          "warehouses?"),
                    ("N", "Does worker accommodation provide privacy and security, including "
                          "lockable personal storage?"),
                    ("N", "Is safe drinking water available in worker accommodation?"),
                ),
            ),
            (
                "Worker Protection",
                0.75,
                (
                    ("N", "Are all moving parts of machinery fitted with guards?"),
                    ("N", "Do sewing machines have needle guards and pulley covers?"),
                    ("N", "Does the employer provide workers with suitable personal protective "
                          "equipment free of charge?"),
                    ("N", "Are workers trained to use personal protective equipment, and do they "
                          "use it?"),
                    ("N", "Are electrical wires, switches and plugs properly installed, earthed "
                          "and maintained?"),
                    ("N", "Are boilers and pressure vessels inspected and certified as required by "
                          "law?"),
                    ("N", "Are workers provided with suitable chairs or, for standing work, "
                          "anti-fatigue mats?"),
                    ("N", "Are there limits and assistance for lifting and carrying heavy "
                          "loads?"),
                    ("N", "Does the employer provide special protection to pregnant and nursing "
                          "workers?"),
                    ("I", "Does the factory use a boiler or generator on site?"),
                ),
            ),
            (
                "Working Environment",
                0.60,
                (
                    ("N", "Is the temperature in the workplace acceptable?"),
                    ("N", "Is ventilation in the workplace adequate?"),
                    ("N", "Is noise in the workplace kept within legal limits?"),
                    ("N", "Is lighting adequate in work areas?"),
                    ("N", "Is the workplace clean and tidy?"),
                    ("N", "Does the employer control dust and fibre levels in the workplace?"),
                    ("N", "Are floors and aisles kept free of obstructions and trip hazards?"),
                    ("N", "Has the employer measured temperature, noise, lighting and air quality "
                          "as required by law?"),
                ),
            ),
        ),
    ),
    (
        "WT",
        "Working Time",
        False,
        (
            (
                "Leave",
                0.35,
                (
                    ("N", "Does the employer give workers the annual leave they are entitled to by "
                          "law?"),
                    ("N", "Does the employer give women workers the maternity leave required by "
                          "law?"),
                    ("N", "Does the employer give workers the sick leave required by law?"),
                    ("N", "Does the employer grant public holidays as required by law?"),
                    ("N", "Can workers choose when to take their annual leave, within legal "
                          "limits?"),
                    ("N", "Does the employer give workers the breastfeeding breaks required by "
                          "law?"),
                ),
            ),
            (
                "Overtime",
                0.80,
                (
                    ("P", "Does the employer keep total weekly working hours, including overtime, "
                          "within the legal limit?"),
                    ("N", "Does overtime exceed the daily legal limit?"),
                    ("N", "Does overtime exceed the monthly legal limit?"),
                    ("N", "Does overtime exceed the annual legal limit?"),
                    ("N", "Does the employer obtain workers' consent for overtime as required by "
                          "law?"),
                    ("N", "Does the employer obtain any permit for overtime required from the "
                          "labour authorities?"),
                    ("N", "Does the employer give workers the rest breaks required by law during "
                          "overtime?"),
                ),
            ),
            (
                "Regular Hours",
                0.30,
                (
                    ("N", "Do regular working hours exceed the legal limits?"),
                    ("N", "Does the employer give workers at least one day of rest per week?"),
                    ("N", "Does the employer give workers the meal and rest breaks required by "
                          "law?"),
                    ("N", "Does the employer keep accurate records of working hours, such as time "
                          "cards?"),
                    ("N", "Does the employer comply with the legal requirements for night work?"),
                    ("I", "How many shifts does the factory operate per day?"),
                    ("I", "How many days per week does the factory normally operate?"),
                ),
            ),
        ),
    ),
)

_MARKERS: dict[str, tuple[str, bool]] = {
    "N": ("non_compliance", False),
    "P": ("non_compliance", True),
    "I": ("information", False),
}


def _build(raw: tuple[_RawCluster, ...]) -> tuple[ClusterSpec, ...]:
    """Turn the raw table into frozen specs, deriving codes and checking basic invariants."""
    clusters: list[ClusterSpec] = []
    seen_texts: set[str] = set()
    for cl_code, cl_name, core, raw_cps in raw:
        cps: list[CompliancePointSpec] = []
        for cp_idx, (cp_name, rate, raw_questions) in enumerate(raw_cps, start=1):
            cp_code = f"{cl_code}.{cp_idx}"
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"base_nc_rate out of range for {cp_code}: {rate}")
            questions: list[QuestionSpec] = []
            for q_idx, (marker, text) in enumerate(raw_questions, start=1):
                kind, public = _MARKERS[marker]
                if text in seen_texts:
                    raise ValueError(f"duplicate question text: {text!r}")
                seen_texts.add(text)
                questions.append(QuestionSpec(f"{cp_code}.{q_idx:02d}", text, kind, public))
            if not any(q.kind == "non_compliance" for q in questions):
                raise ValueError(f"{cp_code} has no non-compliance question")
            cps.append(CompliancePointSpec(cp_code, cp_name, tuple(questions), rate))
        clusters.append(ClusterSpec(cl_code, cl_name, core, tuple(cps)))
    return tuple(clusters)


#: The 8 clusters in DOMAIN.md order; the first four (core labour standards) have ``core=True``.
CLUSTERS: tuple[ClusterSpec, ...] = _build(_RAW)


# ---------------------------------------------------------------------------------------------
# Country multipliers on base_nc_rate, per cluster code. ILLUSTRATIVE VALUES FOR DEMO DATA ONLY:
# they loosely follow patterns in Better Work's public country synthesis reports (e.g. very high
# OSH, overtime and paid-leave non-compliance in Vietnam; overtime in Cambodia; passport retention
# / coercion of migrant workers in Jordan; union interference in Bangladesh; minimum/piece-rate
# wage problems in Haiti; contracting and social-security issues in Indonesia and Pakistan;
# comparatively high compliance in Nicaragua and Sri Lanka). They are not published figures.
# Multipliers are kept within 0.5-1.6; a generator should clip the resulting rate to [0, 1].
# ---------------------------------------------------------------------------------------------

COUNTRY_FACTORS: dict[str, dict[str, float]] = {
    # Bangladesh: union registration and interference issues; OSH improved post-Rana Plaza.
    "BD": {"CL": 1.1, "DISC": 1.1, "FL": 0.9, "FOA": 1.3,
           "COMP": 1.0, "CHR": 1.1, "OSH": 1.0, "WT": 1.05},
    # Cambodia: excessive overtime, short fixed-duration contracts.
    "KH": {"CL": 1.2, "DISC": 1.0, "FL": 0.9, "FOA": 1.1,
           "COMP": 0.9, "CHR": 1.2, "OSH": 1.0, "WT": 1.1},
    # Egypt: younger programme, OSH and contract documentation gaps.
    "EG": {"CL": 1.0, "DISC": 1.1, "FL": 1.0, "FOA": 1.2,
           "COMP": 1.1, "CHR": 1.2, "OSH": 1.15, "WT": 1.0},
    # Ethiopia: no national minimum wage (fewer minimum-wage findings), weak OSH systems.
    "ET": {"CL": 1.1, "DISC": 1.0, "FL": 0.9, "FOA": 1.1,
           "COMP": 0.8, "CHR": 1.2, "OSH": 1.2, "WT": 0.9},
    # Haiti: piece-rate / minimum-wage and overtime-pay problems, weak OSH and union protection.
    "HT": {"CL": 0.8, "DISC": 1.2, "FL": 0.8, "FOA": 1.2,
           "COMP": 1.4, "CHR": 1.1, "OSH": 1.2, "WT": 0.9},
    # Indonesia: contracting (outsourcing, fixed-term) and social-security registration issues.
    "ID": {"CL": 0.9, "DISC": 1.0, "FL": 0.9, "FOA": 1.0,
           "COMP": 1.2, "CHR": 1.3, "OSH": 1.05, "WT": 1.0},
    # Jordan: migrant workforce - passport retention, restricted movement, dormitories.
    # The brief suggested 2.0 for FL; capped at the 0.5-1.6 range (coercion base 0.12 x 1.6 ~ 0.19).
    "JO": {"CL": 0.6, "DISC": 1.3, "FL": 1.6, "FOA": 1.2,
           "COMP": 1.0, "CHR": 1.0, "OSH": 1.1, "WT": 1.0},
    # Nicaragua: comparatively high compliance in free-trade-zone factories.
    "NI": {"CL": 0.6, "DISC": 0.9, "FL": 0.6, "FOA": 0.9,
           "COMP": 0.8, "CHR": 0.8, "OSH": 0.9, "WT": 0.8},
    # Pakistan: documentation, social security, union and OSH gaps; young workers.
    "PK": {"CL": 1.3, "DISC": 1.2, "FL": 1.1, "FOA": 1.3,
           "COMP": 1.3, "CHR": 1.3, "OSH": 1.2, "WT": 1.1},
    # Sri Lanka: comparatively high compliance, moderate overtime.
    "LK": {"CL": 0.6, "DISC": 0.9, "FL": 0.7, "FOA": 1.0,
           "COMP": 0.8, "CHR": 0.8, "OSH": 0.85, "WT": 0.9},
    # Vietnam: OSH (6 of 8 CPs >= 70 %), overtime limits, paid leave; union interference.
    "VN": {"CL": 0.8, "DISC": 0.9, "FL": 0.8, "FOA": 1.2,
           "COMP": 1.2, "CHR": 1.0, "OSH": 1.15, "WT": 1.15},
}


# ---------------------------------------------------------------------------------------------
# Country profiles for the demo data generator. Cities are real garment-manufacturing locations
# with approximate coordinates (lat, lng in decimal degrees). Worker ranges, women's share and
# factory shares are illustrative, loosely following Better Work's footprint (Bangladesh, Vietnam,
# Cambodia and Indonesia have the most factories).
# ---------------------------------------------------------------------------------------------

COUNTRY_PROFILES: dict[str, dict] = {
    "BD": {
        "name": "Bangladesh",
        "cities": [
            ("Dhaka", 23.8103, 90.4125),
            ("Gazipur", 23.9999, 90.4203),
            ("Narayanganj", 23.6238, 90.4990),
            ("Savar", 23.8583, 90.2667),
            ("Chattogram", 22.3569, 91.7832),
        ],
        "typical_workers": (500, 5000),
        "women_share": (0.50, 0.70),
        "share_of_factories": 0.22,
    },
    "KH": {
        "name": "Cambodia",
        "cities": [
            ("Phnom Penh", 11.5564, 104.9282),
            ("Ta Khmau", 11.4833, 104.9500),
            ("Chbar Mon (Kampong Speu)", 11.4533, 104.5206),
            ("Bavet", 11.0667, 106.1333),
            ("Sihanoukville", 10.6253, 103.5234),
        ],
        "typical_workers": (300, 3000),
        "women_share": (0.75, 0.90),
        "share_of_factories": 0.17,
    },
    "EG": {
        "name": "Egypt",
        "cities": [
            ("Cairo", 30.0444, 31.2357),
            ("10th of Ramadan City", 30.2967, 31.7433),
            ("Alexandria", 31.2001, 29.9187),
            ("Port Said", 31.2653, 32.3019),
            ("Sadat City", 30.3667, 30.5333),
        ],
        "typical_workers": (200, 2000),
        "women_share": (0.30, 0.60),
        "share_of_factories": 0.03,
    },
    "ET": {
        "name": "Ethiopia",
        "cities": [
            ("Hawassa", 7.0621, 38.4764),
            ("Addis Ababa", 9.0054, 38.7636),
            ("Mekelle", 13.4967, 39.4753),
            ("Kombolcha", 11.0817, 39.7436),
            ("Adama", 8.5400, 39.2700),
        ],
        "typical_workers": (300, 3000),
        "women_share": (0.80, 0.92),
        "share_of_factories": 0.03,
    },
    "HT": {
        "name": "Haiti",
        "cities": [
            ("Port-au-Prince", 18.5944, -72.3074),
            ("Caracol", 19.6890, -72.0167),
            ("Ouanaminthe", 19.5500, -71.7333),
            ("Cap-Haïtien", 19.7579, -72.2042),
        ],
        "typical_workers": (300, 3500),
        "women_share": (0.55, 0.70),
        "share_of_factories": 0.04,
    },
    "ID": {
        "name": "Indonesia",
        "cities": [
            ("Jakarta", -6.2088, 106.8456),
            ("Bandung", -6.9175, 107.6191),
            ("Semarang", -6.9667, 110.4167),
            ("Bogor", -6.5950, 106.8166),
            ("Tangerang", -6.1783, 106.6319),
        ],
        "typical_workers": (500, 6000),
        "women_share": (0.70, 0.90),
        "share_of_factories": 0.13,
    },
    "JO": {
        "name": "Jordan",
        "cities": [
            ("Irbid (Al Hassan Industrial Estate)", 32.5556, 35.8500),
            ("Sahab", 31.8710, 36.0050),
            ("Al Dhulail", 32.1167, 36.2667),
            ("Karak", 31.1853, 35.7048),
        ],
        "typical_workers": (300, 3000),
        "women_share": (0.50, 0.75),
        "share_of_factories": 0.05,
    },
    "NI": {
        "name": "Nicaragua",
        "cities": [
            ("Managua", 12.1150, -86.2362),
            ("Masaya", 11.9744, -86.0942),
            ("Tipitapa", 12.1975, -86.0964),
            ("Ciudad Sandino", 12.1667, -86.3500),
        ],
        "typical_workers": (300, 2500),
        "women_share": (0.50, 0.65),
        "share_of_factories": 0.04,
    },
    "PK": {
        "name": "Pakistan",
        "cities": [
            ("Karachi", 24.8607, 67.0011),
            ("Lahore", 31.5204, 74.3587),
            ("Faisalabad", 31.4504, 73.1350),
            ("Sialkot", 32.4945, 74.5229),
        ],
        "typical_workers": (500, 4000),
        "women_share": (0.10, 0.30),
        "share_of_factories": 0.05,
    },
    "LK": {
        "name": "Sri Lanka",
        "cities": [
            ("Katunayake", 7.1725, 79.8853),
            ("Biyagama", 6.9414, 79.9858),
            ("Koggala", 5.9937, 80.3204),
            ("Colombo", 6.9271, 79.8612),
            ("Horana", 6.7159, 80.0626),
        ],
        "typical_workers": (400, 3000),
        "women_share": (0.70, 0.85),
        "share_of_factories": 0.04,
    },
    "VN": {
        "name": "Vietnam",
        "cities": [
            ("Ho Chi Minh City", 10.8231, 106.6297),
            ("Thu Dau Mot (Binh Duong)", 10.9804, 106.6519),
            ("Bien Hoa (Dong Nai)", 10.9574, 106.8426),
            ("Hanoi", 21.0285, 105.8542),
            ("Nam Dinh", 20.4200, 106.1683),
        ],
        "typical_workers": (500, 5000),
        "women_share": (0.75, 0.85),
        "share_of_factories": 0.20,
    },
}

if not math.isclose(sum(p["share_of_factories"] for p in COUNTRY_PROFILES.values()), 1.0):
    raise ValueError("COUNTRY_PROFILES shares of factories must sum to 1")
if set(COUNTRY_PROFILES) != set(COUNTRY_FACTORS):
    raise ValueError("COUNTRY_PROFILES and COUNTRY_FACTORS must cover the same countries")


def iter_questions() -> Iterator[tuple[ClusterSpec, CompliancePointSpec, QuestionSpec]]:
    """Yield every (cluster, compliance point, question) in framework order."""
    for cluster in CLUSTERS:
        for cp in cluster.compliance_points:
            for question in cp.questions:
                yield cluster, cp, question


def question_count() -> int:
    """Total number of questions (both kinds) in the framework."""
    return sum(len(cp.questions) for cluster in CLUSTERS for cp in cluster.compliance_points)
