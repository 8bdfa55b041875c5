var Z,Lt,jr,Q,Qe,Ae,jt,Ee,Dt,tt,et,Dr,he=Symbol.for("pv"),Me={},Te=[],Fr=/^m(i|n|o|s|text|space)$/,nt=Array.isArray,rt=Te.slice,se=Object.assign;function ie(e){e&&e.parentNode&&e.remove()}function Ft(e,t,n){var r,i,o,s={},c=arguments.length;for(o in t)o=="key"?r=t[o]:o=="ref"&&typeof e!="function"?i=t[o]:s[o]=t[o];return c>2&&(s.children=c>3?rt.call(arguments,2):n),me(e,s,r,i,null)}function me(e,t,n,r,i){var o={type:e,props:t,key:n,ref:r,__k:null,__:null,__b:0,__e:null,__c:null,constructor:he,__v:i||++Lt,__i:-1,__u:0};return!i&&Z.vnode&&Z.vnode(o),o}function Re(e){return e.children}function Ce(e,t){this.props=e,this.context=t,this.__g=0}function ee(e,t){if(t==null)return e.__&&ee(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!="function"||e.props.__P?null:ee(e)}function Ur(e){var t,n=e.__v,r=n.__e,i=[],o=[],s=e.__P;s&&((t=se({constructor:he},n)).__v=n.__v+1,Z.vnode&&Z.vnode(t),ot(s,t,n,e.__n,s.namespaceURI,32&n.__u?[r]:null,i,r||ee(n),32&n.__u,o),t.__v=n.__v,t.__.__k[t.__i]=t,Ht(i,t,o),n.__=n.__e=null,t.__e!=r&&Ut(t))}function Ut(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),Ut(e)}function Nt(e){(8&e.__g||(e.__g|=8,Q.push(e),Ae++))&&Qe==Z.debounceRendering||((Qe=Z.debounceRendering)||queueMicrotask)(Vt)}function Vt(){try{for(var e,t=1;Q.length;)Q.length>t&&Q.sort(jt),e=Q.shift(),t=Q.length,8&e.__g&&Ur(e)}finally{(Ae=Q.length)&&(Qe||queueMicrotask)(Vt)}}function Bt(e,t,n,r,i,o,s,c,u,p,a){var d,f,l,h,$,_,v=r.__k||Te,b=t.length;for(u=Vr(n,t,v,u,b),d=0;d<b;d++)(l=n.__k[d])!=null&&(f=~l.__i&&v[l.__i]||Me,l.__i=d,_=ot(e,l,f,i,o,s,c,u,p,a),h=l.__e,(f.ref!=l.ref||8&f.__u)&&(f.ref&&it(f.ref,null,l,f),l.ref&&a.push(l.ref,l.__c||h,l)),$=$||h,4&l.__u?(u=Kt(l,u,e,!f.__v),f.__e&&(f.__e=null)):typeof l.type=="function"&&_!==void 0?u=_:h&&(u=h.nextSibling),l.__u&=-21);return n.__e=$,u}function Vr(e,t,n,r,i){var o,s,c,u,p,a,d,f,l,h=n.length,$=h,_=0,v=0,b=e.__k=Array(i);for(o=0;o<i;o++)(s=t[o])!=null&&typeof s!="boolean"&&typeof s!="function"?(typeof s!="object"||s.constructor===String?s=b[o]=me(null,s):nt(s)?s=b[o]=me(Re,{children:s}):s.constructor===he&&s.__b?s=b[o]=me(s.type,s.props,s.key,s.ref,s.__v):b[o]=s,u=o+_,s.__=e,s.__b=e.__b+1,c=null,~(p=s.__i=Br(s,n,u,$))&&($--,(c=n[p])&&(c.__u|=2)),c&&c.__v?(s.__u|=16,p==u-1?_--:p==u+1?_++:p!=u&&(p>u?_--:_++,v=1)):(~p||(i>h?_--:i<h&&_++),typeof s.type!="function"&&(s.__u|=4))):b[o]=null;if(v){for(a=[],d=[],o=0;o<i;o++)if((s=b[o])&&16&s.__u){for(_=0,f=a.length;_<f;)a[l=_+f>>1]<s.__i?_=l+1:f=l;a[_]=s.__i,d[o]=_+1}for(_=a.length;o--;)d[o]&&(d[o]==_?_--:b[o].__u|=4)}if($)for(o=0;o<h;o++)!(c=n[o])||2&c.__u||(c.__e==r&&(r=ee(c)),st(c,c));return r}function Kt(e,t,n,r){var i,o,s,c;if(typeof e.type=="function"){if(e.props.__P)return t;if(i=e.__k)for(o=0;o<i.length;o++)i[o]&&(i[o].__=e,t=Kt(i[o],t,n,!1));return t}for(t&&!t.parentNode&&(t=ee(e))&&!t.parentNode&&(t=null),s=e.__e,c=t;c&&c.nodeType==8;)c=c.nextSibling;for(s!=c&&(!r&&n.moveBefore&&s.parentNode?n.moveBefore(s,t):n.insertBefore(s,t||null)),t=s;(t=t&&t.nextSibling)&&t.nodeType==8&&!t.data.startsWith("$s"););return t}function Br(e,t,n,r){var i,o=e.key,s=e.type,c=t[n],u=c&&!(2&c.__u);if(c===null&&o==null||u&&o==c.key&&s==c.type)return n;if(r>(u?1:0)){for(i=n-1;i>=0;i--)if((c=t[i])&&!(2&c.__u)&&o==c.key&&s==c.type)return i;for(i=n+1;i<t.length;i++)if((c=t[i])&&!(2&c.__u)&&o==c.key&&s==c.type)return i}return-1}function Ot(e,t,n){n==null&&(n=""),t[0]=="-"?e.setProperty(t,n):e[t]=n}function Pe(e,t,n,r,i){var o,s;if(t=="style")if(typeof n=="string")e.style.cssText=n;else{if(typeof r=="string"&&(e.style.cssText=r=""),r)for(t in r)n&&t in n||Ot(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||Ot(e.style,t,n[t])}else if(t[0]=="o"&&t[1]=="n")typeof n!="function"&&(n=null),typeof r!="function"&&(r=null),(e.__e||(e.__e={}))[t]=n,n&&r||(s=et[t]||(et[t]=Kr(t)),(e.__a||(e.__a={}))[t]=tt,o=t!=(t=t.replace(Dt,"$1")),(t=t.slice(2))[0]<"a"&&(t=t.toLowerCase()),n?e.addEventListener(t,s,o):e.removeEventListener(t,s,o));else{if(i=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in e)try{return void(e[t]=n??"")}catch{}if(typeof n=="function")return;n==null||n===!1&&t[4]!="-"?e.removeAttribute(t):e.setAttribute(t,t=="popover"&&n==1?"":n)}}function Kr(e){return function(t){var n=this.__e;if(n){if(n=n[e],t[Ee]==null)t[Ee]=tt++;else if(t[Ee]<this.__a[e])return;return n(Z.event?Z.event(t):t)}}}function ot(e,t,n,r,i,o,s,c,u,p){var a,d,f,l,h,$,_,v,b,P,k,N,Y,re,H,Ze,B,G,w=t.type;if(t.constructor!==he)return null;128&n.__u&&(u=32&n.__u,a=n.__c.__z)&&(t.__u|=u,d=o=[],a.nodeType==8?c=Ie(a,o):o.push(a),c=o[0]||c),(a=Z.__b)&&a(t);e:if(typeof w=="function"){f=s.length;try{if(v=t.props,b=(a=w.prototype)&&a.render,P=(a=w.contextType)&&r[a.__c],k=a?P?P.props.value:a.__:r,(l=n.__c)?(t.__c=l,2&l.__g&&(l.__g|=1)):(b?t.__c=l=new w(v,k):(t.__c=l=new Ce(v,k),l.constructor=w,l.render=Hr),P&&P.sub(l),l.state||(l.state={}),l.__n=r,l.__g|=8,l.__h=[],l.__k=[]),b&&(l.__s||(l.__s=l.state),w.getDerivedStateFromProps&&(l.__s==l.state&&(l.__s=se({},l.__s)),se(l.__s,w.getDerivedStateFromProps(v,l.__s)))),h=l.props,$=l.state,l.__v=t,n.__c){if(v!==h&&b&&!w.getDerivedStateFromProps&&l.componentWillReceiveProps&&l.componentWillReceiveProps(v,k),t.__v==n.__v&&!(8&l.__g)||!(4&l.__g)&&l.shouldComponentUpdate&&l.shouldComponentUpdate(v,l.__s,k)===!1){t.__v!=n.__v&&(l.props=v,l.state=l.__s,l.__g&=-9),t.__e=n.__e,t.__k=n.__k,t.__k.some(function(x){x&&(x.__=t)}),Te.push.apply(l.__h,l.__k),l.__k=[],l.__h.length&&s.push(l),c=ee(n);break e}l.componentWillUpdate&&l.componentWillUpdate(v,l.__s,k),b&&l.componentDidUpdate&&l.__h.push(function(){l.componentDidUpdate(h,$,_)})}else b&&!w.getDerivedStateFromProps&&l.componentWillMount&&l.componentWillMount(),b&&l.componentDidMount&&l.__h.push(l.componentDidMount);l.context=k,l.props=v,l.__P=e,l.__g&=-5,N=Z.__r,Y=b?25:0;do l.__g&=-9,N&&N(t),a=l.render(l.props,l.state=l.__s,l.context);while(8&l.__g&&++Y<25);b&&(Te.push.apply(l.__h,l.__k),l.__k=[]),l.state=l.__s,l.getChildContext&&(r=se({},r,l.getChildContext())),b&&n.__c&&l.getSnapshotBeforeUpdate&&(_=l.getSnapshotBeforeUpdate(h,$)),re=a&&a.type===Re&&a.key==null?a.props.children:a,v.__P&&(a=c,i=(e=v.__P).namespaceURI,u=o=null,n.props&&n.props.__P!=e&&(n.__k.some(function(x){x&&st(x,x)}),n.__k=null),c=n.__k?ee(n,0):null),c=Bt(e,nt(re)?re:[re],t,n,r,i,o,s,c,u,p),v.__P&&(t.__e=null,c=a),t.__u&=-161,d&&d.some(ie),l.__h.length&&s.push(l),1&l.__g&&(l.__g&=-4)}catch(x){if(s.length=f,t.__v=null,u||o)if(x&&x.then){if(t.__u|=128|u,o){for(~(B=o.indexOf(c||void 0))||(B=o.length);(G=o[B-1])&&G.nodeType==8;)B--;for(;B<o.length;B++)if(G=o[B])if(o[B]=null,H){if(G==Ze)break}else{if(G.nodeType!=8)break;G.data.startsWith("$s")&&(Ze=Ie(H=G))}}if(!H){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;H=c}(a=Ie(H=t.__c.__z||(t.__c.__z=H)))?(t.__e=H,c=a):t.__e=c,c=c&&c.nextSibling}else o&&o.some(ie);else t.__e=n.__e;t.__k||(t.__k=n.__k||[]),x&&x.then||Wt(t),Z.__e(x,t,n)}}else c=t.__e=Wr(n.__e,t,n,r,i,o,s,u,p,e);return(a=Z.diffed)&&a(t),c}function Ie(e,t){if(e&&e.nodeType==8&&e.data.startsWith("$s"))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith("$s"))n++;else if(e.data.startsWith("/$s")&&!--n)return e}t&&t.push(e)}}function Wt(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(Wt))}function Ht(e,t,n){for(var r=0;r<n.length;)it(n[r++],n[r++],n[r++]);Z.__c&&Z.__c(t,e),e.some(function(i){try{e=i.__h,i.__h=[],e.some(function(o){o.call(i)})}catch(o){Z.__e(o,i.__v)}})}function Wr(e,t,n,r,i,o,s,c,u,p){var a,d,f,l,h,$,_,v,b=n.props||Me,P=t.props,k=t.type;if(k=="svg"?i="http://www.w3.org/2000/svg":k=="math"?i="http://www.w3.org/1998/Math/MathML":i||(i="http://www.w3.org/1999/xhtml"),o){for(a=0;a<o.length;a++)if((h=o[a])&&(k?h.localName==k:h.nodeType==3)){e=h,o[a]=null;break}}if(!e){if(v=p.ownerDocument||document,!k)return v.createTextNode(P);e=v.createElementNS(i,k,P.is?P:p),c&&(Z.__m&&Z.__m(t,o),c=!1),o=null}if(k){if(p=k=="template"&&e.content||e,o=k=="textarea"&&P.defaultValue!=null?null:o&&rt.call(p.childNodes),!c&&o)for(b={},a=0;a<e.attributes.length;a++)b[(h=e.attributes[a]).name]=h.value;for(a in b)h=b[a],a=="dangerouslySetInnerHTML"?f=h:a=="children"||a in P||a=="value"&&"defaultValue"in P||a=="checked"&&"defaultChecked"in P||Pe(e,a,null,h,i);for(a in P)h=P[a],a=="children"?l=h:a=="dangerouslySetInnerHTML"?d=h:a=="value"?$=h:a=="checked"?_=h:c&&typeof h!="function"||b[a]===h||Pe(e,a,h,b[a],i);d?(c||f&&(d.__html==f.__html||d.__html==e.innerHTML)||(e.innerHTML=d.__html),t.__k=[]):(f&&(e.textContent=""),(k=="foreignObject"||i=="http://www.w3.org/1998/Math/MathML"&&Fr.test(k))&&(i="http://www.w3.org/1999/xhtml"),Bt(p,nt(l)?l:[l],t,n,r,i,o,s,o?o[0]:n.__k&&ee(n,0),c,u),o&&o.some(ie)),c&&k!="textarea"||(a="value",k=="progress"&&$==null?e.removeAttribute(a):$==null||$===e[a]&&(k!="progress"||$)||Pe(e,a,$,b[a],i),a="checked",_!=null&&_!=e[a]&&Pe(e,a,_,b[a],i))}else b===P||c&&e.data==P||(e.data=P);return e}function it(e,t,n,r){try{typeof e=="function"?t?t.__x=e(t)||1:r&&(r=r.__c||r.__e)&&(t=r.__x)&&(r.__x=null,typeof t=="function"?t():e(null)):e.current=t}catch(i){Z.__e(i,n)}}function st(e,t,n){var r,i,o,s;if(Z.unmount&&Z.unmount(e),!(r=e.ref)||r.current&&r.current!=e.__e||it(r,null,t,e),r=e.__c){if(r.componentWillUnmount)try{r.componentWillUnmount()}catch(c){Z.__e(c,t)}r.__P=r.__n=null}if(r=e.__k)for(s=0;s<r.length;s++)r[s]&&st(r[s],t,typeof e.type!="function"||n&&!e.props.__P);!n&&(r=e.__c)&&(r=r.__z)&&(i=Ie(r,o=[]))&&(r==e.__e&&o.some(ie),ie(i),ie(r)),n||ie(e.__e),e.__e=e.__c=e.__=null}function Hr(e,t,n){return this.constructor(e,n)}function Gt(e,t){var n,r,i,o;Z.__&&Z.__(e,t),t.nodeType==9&&(t=t.documentElement),r=(n=e&&32&e.__u)?null:t.__k,t.__k=me(Re,{children:[e]}),i=[],o=[],ot(t,t.__k,r||Me,Me,t.namespaceURI,r?null:t.firstChild?rt.call(t.childNodes):null,i,r?r.__e:t.firstChild,n,o),Ht(i,t.__k,o),t.__k.props.children=null}Z={__e:function(e,t,n,r){for(var i,o,s;t=t.__;)if((i=t.__c)&&!(1&i.__g)){i.__g|=4;try{if((s=(o=i.constructor)&&o.getDerivedStateFromError)&&i.setState(o.getDerivedStateFromError(e)),i.componentDidCatch&&(i.componentDidCatch(e,r||{}),s=1),s&&8&i.__g)return void(i.__g|=2)}catch(c){e=c}}throw Ae=0,e}},Lt=0,jr=function(e){return e!=null&&e.constructor===he},Ce.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=se({},this.state)),typeof e=="function"&&(e=e(se({},n),this.props)),e&&(se(n,e),this.__v&&(t&&this.__k.push(t),Nt(this)))},Ce.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),Nt(this))},Ce.prototype.render=Re,Q=[],Ae=0,jt=function(e,t){return e.__v.__b-t.__v.__b},Ee=Symbol(),Dt=/(PointerCapture)$|Capture$/i,tt=0,et={},Dr=0;var ge,A,ct,qt,at=Object.is,$e=0,on=[],ut=[],I=Z,Xt=I.__b,Jt=I.__r,Yt=I.diffed,Qt=I.__c,en=I.unmount,tn=I.__;function pt(e,t){I.__h&&I.__h(A,e,$e||t),$e=0;var n=A.__H||(A.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function y(e){return $e=1,Gr(cn,e)}function Gr(e,t,n){var r=pt(ge++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):cn(void 0,t),function(o){var s=(r.__N||r.__)[0],c=r.t(s,o);at(s,c)||(r.__N=[c,r.__[1]],r.__c.setState({}))}],r.__c=A,!A.__f)){A.__f=!0;var i=A.shouldComponentUpdate;A.shouldComponentUpdate=function(o,s,c){var u=this.__H;if(!u)return!0;var p=!1,a=this.props!=o;if(u.__.some(function(f){f.__N&&(p=!0,at(f.__[0],f.__N[0])||(a=!0))}),i){var d=i.call(this,o,s,c);return p?d||a:d}return!p||a}}return r.__}function L(e,t){var n=pt(ge++,3);!I.__s&&sn(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,A.__H.__h.push(n))}function W(e){return $e=5,Ne(function(){return{current:e}},[])}function Ne(e,t){var n=pt(ge++,7);return sn(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function j(e,t){return $e=8,Ne(function(){return e},t)}function qr(){var e;do{for(;e=ut.shift();)try{_e(e)}catch(n){I.__e(n,{__:(e=e.__P)&&e.__v})}for(;e=on.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(_e),t.__h.some(lt),t.__h=[]}catch(n){t.__h=[],I.__e(n,e.__v)}}}while(ut.length)}I.__b=function(e){A=null,Xt&&Xt(e)},I.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),tn&&tn(e,t)},I.__r=function(e){Jt&&Jt(e),ge=0;var t=(A=e.__c).__H;t&&(ct==A?A.__h=[]:(t.__h.some(_e),t.__h.some(lt),ge=0),t.__h=[],t.__.some(function(n){n.__N&&(n.__=n.__N),n.u=n.__N=void 0})),ct=A},I.diffed=function(e){Yt&&Yt(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&rn(on.push(t)),t.__H.__.some(function(n){n.u&&(n.__H=n.u)})),ct=A=null},I.__c=function(e,t){t.some(function(n){try{n.__h.some(_e),n.__h=n.__h.filter(function(r){return!r.__||lt(r)})}catch(r){n.__h=[function(){throw r}]}}),Qt&&Qt(e,t)},I.unmount=function(e){en&&en(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(i){try{if(i.__P&&i.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n=n&&n.__c}i.__P=n,rn(ut.push(i))}else _e(i)}catch(o){t=o}}),r.__H=void 0,t&&I.__e(t,r.__v))};var nn=typeof requestAnimationFrame=="function";function Xr(e){var t,n=function(){clearTimeout(r),nn&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);nn&&(t=requestAnimationFrame(n))}function rn(e){e!=1&&qt==I.requestAnimationFrame||((qt=I.requestAnimationFrame)||Xr)(qr)}function _e(e){var t=A,n=e.__c;typeof n=="function"&&(e.__c=void 0,n()),A=t}function lt(e){var t=A;e.__c=e.__(),A=t}function sn(e,t){return!e||e.length!=t.length||t.some(function(n,r){return!at(n,e[r])})}function cn(e,t){return typeof t=="function"?t(e):t}function mt(e){let t=Object.values(e).filter(r=>typeof r=="number");return Object.entries(e).filter(([r,i])=>t.indexOf(+r)===-1).map(([r,i])=>i)}function an(e,t){return typeof t=="bigint"?t.toString():t}var ft=class{constructor(t){this._getter=t,this._value=void 0}get value(){let t=this._getter;return t!==void 0&&(this._value=t(),this._getter=void 0),this._value}};function ht(e){return new ft(e)}function un(e){return e==null}function Oe(e){let t=e.startsWith("^")?1:0,n=e.endsWith("$")?e.length-1:e.length;return e.slice(t,n)}function _t(e,t,n){Object.defineProperty(e,t,{value:n,writable:!0,enumerable:!0,configurable:!0})}function ln(e){let t=Object.getOwnPropertyDescriptor(e,"shape");return t?.get?t.get.raw:t?.value}var gt="captureStackTrace"in Error?Error.captureStackTrace:(...e)=>{};function be(e){return typeof e=="object"&&e!==null&&!Array.isArray(e)}function pn(e){if(be(e)===!1)return!1;let t=e.constructor;if(t===void 0||typeof t!="function")return!0;let n=t.prototype;return!(be(n)===!1||Object.prototype.hasOwnProperty.call(n,"isPrototypeOf")===!1)}function $t(e){return pn(e)?{...e}:Array.isArray(e)?[...e]:e instanceof Map?new Map(e):e instanceof Set?new Set(e):e}var dn=new Set(["string","number","symbol"]);function ye(e){return e.replace(/[.*+?^${}()|[\]\\]/g,"\\$&")}function Le(e,t,n){let r=new e._zod.constr(t??e._zod.def);return(!t||n?.parent)&&(r._zod.parent=e),r}function D(e){let t=e;if(!t)return{};if(typeof t=="string")return{error:()=>t};if(t?.message!==void 0){if(t?.error!==void 0)throw new Error("Cannot specify both `message` and `error` params");t.error=t.message}return delete t.message,typeof t.error=="string"?{...t,error:()=>t.error}:t}function fn(e){return Object.keys(e).filter(t=>e[t]._zod.optin!==void 0&&e[t]._zod.optout==="optional")}function q(e,t=0){if(e.aborted===!0)return!0;for(let n=t;n<e.issues.length;n++)if(e.issues[n]?.continue!==!0)return!0;return!1}function mn(e,t=0){if(e.aborted===!0)return!0;for(let n=t;n<e.issues.length;n++)if(e.issues[n]?.continue===!1)return!0;return!1}function je(e,t){return t.map(n=>{var r;return(r=n).path??(r.path=[]),n.path.unshift(e),n})}function ve(e){return typeof e=="string"?e:e?.message}function vt(e){let t=[];for(let n of e??[]){let r=n._zod.def;if(!/_(length|size)$|_equals$/.test(r.check))break;let i=r.maximum??r.length??r.size;i>=0&&t.push([i,n])}return t}function De(e,t,n){var r;for(let i=t;i<e.length;i++)(r=e[i]).schema??(r.schema=n)}function ae(e,t,n){var r;let i=e.inst?._zod?.traits;i?.has("$ZodType")&&(i.has("$ZodCheck")?(r=e).schema??(r.schema=e.inst):e.schema=e.inst);let o=e.schema!==e.inst?e.schema?._zod.def?.error:void 0,s=e.message?e.message:ve(e.inst?._zod.def?.error?.(e))??ve(o?.(e))??ve(t?.error?.(e))??ve(n.customError?.(e))??ve(n.localeError?.(e))??"Invalid input",c={};for(let u of Object.keys(e))u==="inst"||u==="schema"||u==="continue"||u==="input"||u==="__proto__"||(c[u]=e[u]);return c.path??(c.path=[]),c.message=s,t?.reportInput&&(c.input=e.input),c}var Jr=/[\uD800-\uDBFF]/;function hn(e){let t=e.length;if(!Jr.test(e))return t;let n=t;for(let r=0;r<t-1;r++)(e.charCodeAt(r)&64512)===55296&&(e.charCodeAt(r+1)&64512)===56320&&(n--,r++);return n}function _n(e){return Array.isArray(e)?"array":typeof e=="string"?"string":"unknown"}function gn(e,t){for(let n in t){let r=Object.getOwnPropertyDescriptor(t,n);r.get?Object.defineProperty(e,n,{...r,enumerable:!1}):Yr(e,n,r.value)}}function ce(e,t,n,r=!0){return Object.defineProperty(e,t,{configurable:!0,writable:!0,enumerable:r,value:n}),n}function bt(e,t,n){return ce(e,t,n,!1)}function Yr(e,t,n){Object.defineProperty(e,t,{configurable:!0,get(){return this==null?n:ce(this,t,n.bind(this))},set(r){ce(this,t,r)}})}function Qr(e,t){let n=Object.getPrototypeOf(e);return t in n?void 0:n}var dt,te=!1,eo={configurable:!0,get(){te=!0}};function R(e,t,n){let r=Object.getPrototypeOf(e._zod);if(t in r&&dt!==e._zod){dt=void 0;return}dt=e._zod,Object.defineProperty(r,t,{configurable:!0,get(){Object.defineProperty(this,t,eo);let i=te;te=!1;try{let o=n(this);return te?delete this[t]:Object.defineProperty(this,t,{configurable:!0,writable:!0,value:o}),te=te||i,o}catch(o){throw delete this[t],te=te||i,o}},set(i){Object.defineProperty(this,t,{configurable:!0,writable:!0,value:i})}})}function $n(e,t,n,r){let i=Qr(e,t);i&&Object.defineProperty(i,t,{configurable:!0,get(){let o={configurable:!0,writable:!0,enumerable:r,value:void 0};return Object.defineProperty(this,t,o),o.value=n(this),Object.defineProperty(this,t,o),o.value},set(o){Object.defineProperty(this,t,{configurable:!0,writable:!0,enumerable:r,value:o})}})}var vn;var yt={value:void 0,enumerable:!1},bn="captureStackTrace"in Error?Error:null;function to(e){let t=bn;if(t){let n=t.stackTraceLimit;if(typeof n=="number"){try{t.stackTraceLimit=0}catch{return bn=null,new e}try{return new e}finally{t.stackTraceLimit=n}}}return new e}function z(e,t,n,r){let i={};function o(f){this.def=f,this.constr=d,this.traits=new Set}o.prototype=i;let s=n,c=s&&new WeakSet;function u(f,l){if(f._zod){if(f._zod.traits.has(e))return}else{yt.value=new o(l);try{Object.defineProperty(f,"_zod",yt)}finally{yt.value=void 0}}if(f._zod.traits.add(e),t(f,l),c){let $=Object.getPrototypeOf(f),_=f._zod.constr.prototype,v=$;for(;v&&v!==_;)v=Object.getPrototypeOf(v);let b=v??$;c.has(b)||(c.add(b),gn(b,s))}let h=d.prototype;for(let $ in h)Object.prototype.hasOwnProperty.call(h,$)&&($ in f||(f[$]=h[$].bind(f)))}let p=r?.Parent??Object;class a extends p{}Object.defineProperty(a,"name",{value:e});function d(f){let l=r?.Parent?to(a):this;u(l,f);let h=l._zod.deferred;if(h){for(let _ of h)_();l._zod.deferred=void 0}let $=globalThis.__zod_globalConfig?.postProcessor;return $&&$(l),l}return Object.defineProperty(d,"init",{value:u}),Object.defineProperty(d,Symbol.hasInstance,{value:f=>r?.Parent&&f instanceof r.Parent?!0:f?._zod?.traits?.has(e)}),Object.defineProperty(d,"name",{value:e}),d}var X=class extends Error{constructor(){super("Encountered Promise during synchronous parse. Use .parseAsync() instead.")}};(vn=globalThis).__zod_globalConfig??(vn.__zod_globalConfig={});var xe=globalThis.__zod_globalConfig;function le(e){return e&&Object.assign(xe,e),xe}function no(){let e=this._zod;return e.message??(e.message=JSON.stringify(e.def,an,2)),e.message}function ro(e){this._zod.message=e}var oo={get:no,set:ro,enumerable:!0,configurable:!0},wt={value:void 0,enumerable:!1},yn=new WeakSet([Object.prototype,Error.prototype]),xn=(e,t)=>{e.name="$ZodError",wt.value=t,Object.defineProperty(e,"issues",wt),wt.value=void 0,Object.defineProperty(e,"message",oo);let n=Object.getPrototypeOf(e);yn.has(n)||(yn.add(n),Object.defineProperty(n,"toString",{configurable:!0,enumerable:!1,get(){let r=()=>this.message;return Object.defineProperty(this,"toString",{value:r,configurable:!0,writable:!0}),r},set(r){Object.defineProperty(this,"toString",{value:r,configurable:!0,writable:!0})}}))},bi=z("$ZodError",xn),we=z("$ZodError",xn,void 0,{Parent:Error});var so=e=>{let t=(n,r,i,o)=>{let s=i?{...i,async:!1}:{async:!1},c=n._zod.run({value:r,issues:[]},s);if(c instanceof Promise)throw new X;if(c.issues.length){let u=new(o?.Err??e)(c.issues.map(p=>ae(p,s,le())));throw gt(u,o?.callee??t),u}return c.value};return t},zt=so(we),co=e=>{let t=async(n,r,i,o)=>{let s=i?{...i,async:!0}:{async:!0},c=n._zod.run({value:r,issues:[]},s);if(c instanceof Promise&&(c=await c),c.issues.length){let u=new(o?.Err??e)(c.issues.map(p=>ae(p,s,le())));throw gt(u,o?.callee??t),u}return c.value};return t},kt=co(we),ao=e=>(t,n,r)=>{let i=r?{...r,async:!1}:{async:!1},o=t._zod.run({value:n,issues:[]},i);if(o instanceof Promise)throw new X;return o.issues.length?wn(e,o.issues,i):{success:!0,data:o.value}},St=ao(we);function wn(e,t,n){let r;return{success:!1,get error(){return r||(r=new e(t.map(i=>ae(i,n,le()))),t=void 0,n=void 0),r},set error(i){r=i,t=void 0,n=void 0}}}var uo=e=>async(t,n,r)=>{let i=r?{...r,async:!0}:{async:!0},o=t._zod.run({value:n,issues:[]},i);return o instanceof Promise&&(o=await o),o.issues.length?wn(e,o.issues,i):{success:!0,data:o.value}},Zt=uo(we);var zn=/^[\s\S]{0,}$/;var kn=/^-?\d+(?:\.\d+)?$/,Sn=/^(?:true|false)$/i;var Pt=z("$ZodCheck",(e,t)=>{var n;e._zod??(e._zod={}),e._zod.def=t,(n=e._zod).onattach??(n.onattach=[])});var lo=e=>{let t=e.value;return!un(t)&&t.length!==void 0};var Pn=z("$ZodCheckMinLength",(e,t)=>{var n;Pt.init(e,t),(n=e._zod.def).when??(n.when=lo),e._zod.check=r=>{let i=r.value,o=i.length;if((typeof i=="string"&&o>=t.minimum&&o<t.minimum*2?hn(i):o)>=t.minimum)return;let c=_n(i);r.issues.push({origin:c,code:"too_small",minimum:t.minimum,inclusive:!0,input:i,inst:e,continue:!t.abort})}});var En={major:4,minor:6,patch:7};var O=z("$ZodType",(e,t)=>{var n;e??(e={}),e._zod.def=t,e._zod.bag=e._zod.bag||{},e._zod.version=En;let r=e._zod.def.checks,i=e._zod.traits.has("$ZodCheck")?[e,...r??[]]:r?.length?[...r]:[];for(let o of i)for(let s of o._zod.onattach)s(e);if(i.length===0)(n=e._zod).deferred??(n.deferred=[]),e._zod.deferred?.push(()=>{e._zod.run=e._zod.parse});else{let o=(c,u,p)=>{if(c.memo)return c;let a=q(c),d;for(let f of u){if(f._zod.def.when){if(mn(c)||!f._zod.def.when(c))continue}else if(a)continue;let l=c.issues.length,h=f._zod.check(c);if(h instanceof Promise&&p?.async===!1)throw new X;if(d||h instanceof Promise)d=(d??Promise.resolve()).then(async()=>{await h,c.issues.length!==l&&(De(c.issues,l,e),a||(a=q(c,l)))});else{if(c.issues.length===l)continue;De(c.issues,l,e),a||(a=q(c,l))}}return d?d.then(()=>c):c},s=(c,u,p)=>{if(q(c))return c.aborted=!0,c;let a=o(u,i,p);if(a instanceof Promise){if(p.async===!1)throw new X;return a.then(d=>e._zod.parse(d,p))}return e._zod.parse(a,p)};e._zod.run=(c,u)=>{if(u.skipChecks)return e._zod.parse(c,u);if(u.direction==="backward"){let a=e._zod.parse({value:c.value,issues:[]},{...u,skipChecks:!0});return a instanceof Promise?a.then(d=>s(d,c,u)):s(a,c,u)}let p=e._zod.parse(c,u);if(p instanceof Promise){if(u.async===!1)throw new X;return p.then(a=>o(a,i,u))}return o(p,i,u)}}},{get"~standard"(){return bt(this,"~standard",ho(this))},set"~standard"(e){ce(this,"~standard",e)}}),Tn=(e,t)=>e.issues.length?{issues:e.issues.map(n=>ae(n,t,le()))}:{value:e.value};async function mo(e,t){let n={async:!0};return Tn(await e._zod.run({value:t,issues:[]},n),n)}function ho(e){return{validate:t=>{let n={async:!1};try{let r=e._zod.run({value:t,issues:[]},n);if(!(r instanceof Promise))return Tn(r,n)}catch{}return mo(e,t)},vendor:"zod",version:1}}var Rn=z("$ZodString",(e,t)=>{O.init(e,t),e._zod.pattern=t.pattern??zn,e._zod.parse=(n,r)=>{if(t.coerce)try{n.value=String(n.value)}catch{}return typeof n.value=="string"||n.issues.push({expected:"string",code:"invalid_type",input:n.value,inst:e}),n}});var Nn=z("$ZodNumber",(e,t)=>{O.init(e,t),e._zod.pattern=kn,e._zod.parse=(n,r)=>{if(t.coerce)try{n.value=Number(n.value)}catch{}let i=n.value;if(typeof i=="number"&&!Number.isNaN(i)&&Number.isFinite(i))return n;let o=typeof i=="number"?Number.isNaN(i)?"NaN":Number.isFinite(i)?void 0:String(i):void 0;return n.issues.push({expected:"number",code:"invalid_type",input:i,inst:e,...o?{received:o}:{}}),n}});var On=z("$ZodBoolean",(e,t)=>{O.init(e,t),e._zod.pattern=Sn,e._zod.parse=(n,r)=>{if(t.coerce)try{n.value=!!n.value}catch{}let i=n.value;return typeof i=="boolean"||n.issues.push({expected:"boolean",code:"invalid_type",input:i,inst:e}),n}});function _o(e,t){let n=vt(e._zod.def.checks);if(!n.length)return;let r=Math.min(...n.map(o=>o[0])),i=e._zod.parse;e._zod.parse=(o,s)=>{let c=t(o.value);if(c>r&&!s?.skipChecks&&s?.direction!=="backward"){for(let[u,p]of vt(e._zod.def.checks))if(c>u&&p._zod.def.when(o)){let a=o.issues.length;return p._zod.check(o),o.issues[a].continue=!1,De(o.issues,a,e),o}}return i(o,s)}}var go=e=>Array.isArray(e)?e.length:-1;function Cn(e,t,n){e.issues.length&&t.issues.push(...je(n,e.issues)),t.value[n]=e.value}var Ln=z("$ZodArray",(e,t)=>{O.init(e,t);let n=xe.memoizer;n?.attach(e),e._zod.parse=(r,i)=>{let o=r.value;if(!Array.isArray(o))return r.issues.push({expected:"array",code:"invalid_type",input:o,inst:e}),r;r.value=n?n.alloc(e,r,Array(o.length),i):Array(o.length);let s=[],c=i?.abortEarly;for(let u=0;u<o.length;u++){let p=o[u],a=t.element._zod.run({value:p,issues:[]},i);if(a instanceof Promise)s.push(a.then(d=>Cn(d,r,u)));else if(Cn(a,r,u),c&&a.issues.length!==0&&q(a))break}return s.length?Promise.all(s).then(()=>r):r},_o(e,go)});function Fe(e,t,n,r,i,o){let s=n in r,c=o==="optional";if(!(!s&&c&&i==="optional")){if(e.issues.length){if(i!==void 0&&c&&!s)return;t.issues.push(...je(n,e.issues))}if(!s&&i===void 0){e.issues.length||t.issues.push({code:"invalid_type",expected:"nonoptional",input:void 0,path:[n]});return}e.value===void 0?(s||i==="defaulted"&&!c)&&(t.value[n]=void 0):t.value[n]=e.value}}var $o=[];function vo(e){let t=Object.keys(e.shape),n=Object.getOwnPropertySymbols(e.shape),r=n.length?n:$o,i=r.length?[...t,...r]:t;for(let s of i)if(!e.shape?.[s]?._zod?.traits?.has("$ZodType"))throw new Error(`Invalid element at key "${String(s)}": expected a Zod schema`);let o=fn(e.shape);return{...e,allKeys:i,symbolKeys:r,keySet:new Set(t),numKeys:t.length,optionalKeys:new Set(o)}}function bo(e,t,n,r,i,o,s){let c=[],u=i.keySet,p=i.catchall._zod,a=p.def.type,d=p.optin,f=p.optout,l=0;for(let h in t){if(s&&n.issues.length!==l){if(q(n,l))break;l=n.issues.length}if(u.has(h))continue;if(h==="__proto__"){a==="never"&&c.push(h);continue}if(a==="never"){c.push(h);continue}let $=p.run({value:t[h],issues:[]},r);$ instanceof Promise?e.push($.then(_=>Fe(_,n,h,t,d,f))):Fe($,n,h,t,d,f)}return c.length&&n.issues.push({code:"unrecognized_keys",keys:c,input:t,inst:o,continue:!0}),e.length?Promise.all(e).then(()=>n):n}var jn=z("$ZodObject",(e,t)=>{O.init(e,t);let n=Object.getOwnPropertyDescriptor(t,"shape"),r=n?.get?n.get.raw:t.shape??{};if(r){let p=()=>{let a={...r};return Object.defineProperty(t,"shape",{value:a}),p.raw=a,a};p.raw=r,Object.defineProperty(t,"shape",{get:p})}let i=ht(()=>vo(t));R(e,"propValues",p=>{let a=p.def.shape,d={};for(let f in a){let l=a[f]._zod;if(l.values){Object.prototype.hasOwnProperty.call(d,f)||_t(d,f,new Set);for(let h of l.values)d[f].add(h);l.optin!==void 0&&d[f].add(void 0)}}return d});let o=be,s=t.catchall,c,u=xe.memoizer;u?.attach(e),e._zod.parse=(p,a)=>{c??(c=i.value);let d=p.value;if(!o(d))return p.issues.push({expected:"object",code:"invalid_type",input:d,inst:e}),p;p.value=u?u.alloc(e,p,{},a):{};let f=[],l=c.shape,h=a?.abortEarly,$=p.issues.length;for(let _ of c.allKeys){if(h&&p.issues.length!==$){if(q(p,$))break;$=p.issues.length}if(_==="__proto__")continue;let v=l[_],b=v._zod.optin,P=v._zod.optout,k=v._zod.run({value:d[_],issues:[]},a);k instanceof Promise?f.push(k.then(N=>Fe(N,p,_,d,b,P))):Fe(k,p,_,d,b,P)}return s?bo(f,d,p,a,i.value,e,h===!0):f.length?Promise.all(f).then(()=>p):p}});function In(e,t,n,r){for(let o of e)if(o.issues.length===0)return t.value=o.value,t;let i=e.filter(o=>!q(o));return i.length===1?(t.value=i[0].value,i[0]):(t.issues.push({code:"invalid_union",input:t.value,inst:n,errors:e.map(o=>o.issues.map(s=>ae(s,r,le())))}),t)}var Dn=z("$ZodUnion",(e,t)=>{O.init(e,t),R(e,"optin",r=>r.def.options.some(i=>i._zod.optin==="defaulted")?"defaulted":r.def.options.some(i=>i._zod.optin!==void 0)?"optional":void 0),R(e,"optout",r=>r.def.options.some(i=>i._zod.optout==="optional")?"optional":void 0),R(e,"values",r=>{if(r.def.options.every(i=>i._zod.values))return new Set(r.def.options.flatMap(i=>Array.from(i._zod.values)))}),R(e,"pattern",r=>{if(r.def.options.every(i=>i._zod.pattern)){let i=r.def.options.map(o=>o._zod.pattern);return new RegExp(`^(${i.map(o=>Oe(o.source)).join("|")})$`)}});let n=t.options.length===1?t.options[0]._zod.run:null;e._zod.parse=(r,i)=>{if(n)return n(r,i);let o=!1,s=[];for(let c of t.options){let u=c._zod.run({value:r.value,issues:[]},i);if(u instanceof Promise)s.push(u),o=!0;else{if(u.issues.length===0)return u;s.push(u)}}return o?Promise.all(s).then(c=>In(c,r,e,i)):In(s,r,e,i)}});function yo(e){let t=new Map;for(let n of e.options){let r=n._zod.propValues?.[e.discriminator];if(!r||r.size===0)throw new Error(`Invalid discriminated union option at index "${e.options.indexOf(n)}"`);for(let i of r)if(t.has(i)){if(i!==void 0)throw new Error(`Duplicate discriminator value "${String(i)}"`);t.set(i,null)}else t.set(i,n)}return t}var Fn=z("$ZodDiscriminatedUnion",(e,t)=>{t.inclusive=!1,Dn.init(e,t);let n=e._zod.parse;R(e,"propValues",i=>{let o={},s=0;for(let c of i.def.options){let u=c._zod.propValues;if(!u||Object.keys(u).length===0)throw new Error(`Invalid discriminated union option at index "${i.def.options.indexOf(c)}"`);u[i.def.discriminator]?.has(void 0)&&s++;for(let[p,a]of Object.entries(u)){Object.prototype.hasOwnProperty.call(o,p)||_t(o,p,new Set);for(let d of a)o[p].add(d)}}return!i.def.unionFallback&&s>1&&o[i.def.discriminator]?.delete(void 0),o}),t.options.forEach((i,o)=>{let s=ln(i._zod.def);if(s&&!Object.prototype.hasOwnProperty.call(s,t.discriminator))throw new Error(`Invalid discriminated union option at index "${o}"`)});let r=ht(()=>yo(t));e._zod.parse=(i,o)=>{let s=i.value;if(!be(s))return i.issues.push({code:"invalid_type",expected:"object",input:s,inst:e}),i;let c=s?.[t.discriminator],u=r.value.get(c);return u&&(c!==void 0||o.direction!=="backward")?u._zod.run(i,o):t.unionFallback||o.direction==="backward"?n(i,o):(i.issues.push({code:"invalid_union",errors:[],note:"No matching discriminator",discriminator:t.discriminator,options:Array.from(r.value.keys()).filter(p=>r.value.get(p)!==null),input:s,path:[t.discriminator],inst:e}),i)}});var Un=z("$ZodEnum",(e,t)=>{O.init(e,t);let n=mt(t.entries),r=new Set(n);e._zod.values=r,R(e,"pattern",i=>{let o=mt(i.def.entries).filter(s=>dn.has(typeof s));return new RegExp(o.length?`^(${o.map(s=>ye(s.toString())).join("|")})$`:"^[^\\s\\S]$")}),e._zod.parse=(i,o)=>{let s=i.value;return r.has(s)||i.issues.push({code:"invalid_value",values:n,input:s,inst:e}),i}}),Vn=z("$ZodLiteral",(e,t)=>{O.init(e,t);let n=new Set(t.values);e._zod.values=n,R(e,"pattern",r=>{let i=r.def.values;return new RegExp(i.length?`^(${i.map(o=>typeof o=="string"?ye(o):o?ye(o.toString()):String(o)).join("|")})$`:"^[^\\s\\S]$")}),e._zod.parse=(r,i)=>{let o=r.value;return n.has(o)||r.issues.push({code:"invalid_value",values:t.values,input:o,inst:e}),r}});function An(e,t){return e.value=t.issues.length?void 0:t.value,e}var Bn=z("$ZodOptional",(e,t)=>{O.init(e,t),R(e,"optin",n=>n.def.innerType._zod.optin==="defaulted"?"defaulted":"optional"),e._zod.optout="optional",R(e,"values",n=>{let r=n.def.innerType._zod.values;return r?new Set([...r,void 0]):void 0}),R(e,"pattern",n=>{let r=n.def.innerType._zod.pattern;return r?new RegExp(`^(${Oe(r.source)})?$`):void 0}),e._zod.parse=(n,r)=>{if(n.value===void 0){if(t.innerType._zod.optin!=="defaulted")return n;let i=t.innerType._zod.run({value:n.value,issues:[]},r);return i instanceof Promise?i.then(o=>An(n,o)):An(n,i)}return t.innerType._zod.run(n,r)}});var Kn=z("$ZodNullable",(e,t)=>{O.init(e,t),R(e,"optin",n=>n.def.innerType._zod.optin),R(e,"optout",n=>n.def.innerType._zod.optout),R(e,"pattern",n=>{let r=n.def.innerType._zod.pattern;return r?new RegExp(`^(${Oe(r.source)}|null)$`):void 0}),R(e,"values",n=>n.def.innerType._zod.values?new Set([...n.def.innerType._zod.values,null]):void 0),e._zod.parse=(n,r)=>n.value===null?n:t.innerType._zod.run(n,r)}),Wn=z("$ZodDefault",(e,t)=>{O.init(e,t),e._zod.optin="defaulted",R(e,"values",n=>n.def.innerType._zod.values),e._zod.parse=(n,r)=>{if(r.direction==="backward")return t.innerType._zod.run(n,r);if(n.value===void 0)return n.value=t.defaultValue,n;let i=t.innerType._zod.run(n,r);return i instanceof Promise?i.then(o=>Mn(o,t)):Mn(i,t)}});function Mn(e,t){return e.value===void 0&&(e.value=t.defaultValue),e}function Hn(e){return e.checks&&(e.checks=[...e.checks]),e}function Gn(e,t){return new e(Hn({type:"string",...D(t)}))}function qn(e,t){return new e(Hn({type:"number",checks:[],...D(t)}))}function Xn(e,t){return new e({type:"boolean",...D(t)})}function Et(e,t){return new Pn({check:"min_length",...D(t),minimum:e})}var F=z("ZodMiniType",(e,t)=>{if(!e._zod)throw new Error("Uninitialized schema in ZodMiniType.");O.init(e,t),e.def=t,e.type=t.type},{get with(){return this.check},set with(e){ce(this,"with",e)},parse(e,t){return zt(this,e,t,{callee:this.parse})},parseAsync(e,t){return kt(this,e,t,{callee:this.parseAsync})},safeParse(e,t){return St(this,e,t)},safeParseAsync(e,t){return Zt(this,e,t)},check(...e){let t=this.def;return this.clone({...t,checks:[...t.checks??[],...e.map(n=>typeof n=="function"?{_zod:{check:n,def:{check:"custom"},onattach:[]}}:n)]},{parent:!0})},clone(e,t){return Le(this,e,t)},brand(){return this},register(e,t){return e.add(this,t),this},apply(e,...t){return t.length===0?e(this):e(this,...t)}}),wo=z("ZodMiniString",(e,t)=>{Rn.init(e,t),F.init(e,t)});function Jn(e){return Gn(wo,e)}var zo=z("ZodMiniNumber",(e,t)=>{Nn.init(e,t),F.init(e,t)});function pe(e){return qn(zo,e)}var ko=z("ZodMiniBoolean",(e,t)=>{On.init(e,t),F.init(e,t)});function fe(e){return Xn(ko,e)}var So=z("ZodMiniArray",(e,t)=>{Ln.init(e,t),F.init(e,t)});function J(e,t){return new So({type:"array",element:e,...D(t)})}var Zo=z("ZodMiniObject",(e,t)=>{jn.init(e,t),F.init(e,t),$n(e,"shape",n=>n._zod.def.shape,!1)});function S(e,t){let n={type:"object",shape:e??{},...D(t)};return new Zo(n)}var Po=z("ZodMiniDiscriminatedUnion",(e,t)=>{Fn.init(e,t),F.init(e,t)});function Ue(e,t,n){return new Po({type:"union",options:t,discriminator:e,...D(n)})}var Eo=z("ZodMiniEnum",(e,t)=>{Un.init(e,t),F.init(e,t),e.options=[...e._zod.values]});function Ve(e,t){let n=Array.isArray(e)?Object.fromEntries(e.map(r=>[r,r])):e;return new Eo({type:"enum",entries:n,...D(t)})}var Co=z("ZodMiniLiteral",(e,t)=>{Vn.init(e,t),F.init(e,t)});function U(e,t){return new Co({type:"literal",values:Array.isArray(e)?e:[e],...D(t)})}var Io=z("ZodMiniOptional",(e,t)=>{Bn.init(e,t),F.init(e,t)});function Ct(e){return new Io({type:"optional",innerType:e})}var Ao=z("ZodMiniNullable",(e,t)=>{Kn.init(e,t),F.init(e,t)});function Be(e){return new Ao({type:"nullable",innerType:e})}function Ke(e){return Ct(Be(e))}var Mo=z("ZodMiniDefault",(e,t)=>{Wn.init(e,t),F.init(e,t)});function It(e,t){return new Mo({type:"default",innerType:e,get defaultValue(){return typeof t=="function"?t():$t(t)}})}var Yn=["pstn","cellular","voicemail","legacy-voicemail","email","im","icw"],Qn=["email","im","voicemail","pstn","cellular","legacy-voicemail"],E=Ct,g=Jn,er=S({token:g().check(Et(1))}),tr=S({error:g(),message:g(),field:E(g())}),At=S({id:g(),from:S({ani:Be(g())}),dnis:Be(g()),receivedAt:g(),durationMs:pe(),state:Ve(["new","saved"]),urgent:fe(),transcript:E(g())}),nr=J(At),No=Ue("kind",[S({id:g(),kind:U("internal")}),S({id:g(),kind:U("sip"),uri:g(),depositUri:E(g())}),S({id:g(),kind:U("smdi"),link:g(),station:g(),depositUri:E(g())})]),Oo=Ue("kind",[S({id:g(),kind:U("web")}),S({id:g(),kind:U("xmpp"),jid:g()})]),Lo=S({from:g(),to:J(g()),transcribe:E(fe()),audioFormat:E(Ve(["wav","mp3"])),voice:E(g()),language:E(g())}),Mt=S({id:g(),displayName:g(),phones:J(g()),emails:J(g()),voicemailSystems:J(No),imClients:J(Oo),routes:J(Lo),mwi:S({enabled:fe(),supplemental:S({timestamp:fe(),text:E(g())})})}),rr={new:pe(),old:pe(),urgentNew:It(pe(),0),urgentOld:It(pe(),0)},or={ani:E(g()),dnis:E(g()),at:g()},jo=S({id:g(),kind:E(g()),enabled:fe(),...rr,lastCaller:Ke(S(or))}),We=S({version:E(pe()),total:S(rr),systems:J(jo),lastCaller:Ke(S({...or,systemId:E(g())})),supplemental:Ke(S({timestamp:E(g()),text:E(g())}))}),ir=S({id:g(),type:U("message"),communicationId:g(),from:g(),subject:E(g()),text:g(),audioUrl:E(g()),receivedAt:g()}),sr=S({id:g(),type:U("call-alert"),callId:g(),from:S({ani:g(),name:E(g())}),dnis:g(),decideBy:E(g())}),Do=["ringing","recording","forwarded","taken-over","ended"],cr=S({id:g(),type:U("call-update"),callId:g(),state:Ve(Do),screenUrl:E(g())}),ar=Ue("type",[S({type:U("sent"),requestId:E(g()),communicationId:g()}),S({type:U("error"),requestId:E(g()),callId:E(g()),message:g(),field:E(g())})]),ur=S({id:g(),type:g()});var lr="/api/v1",M=class extends Error{constructor(n,r,i,o){super(i);this.status=n;this.code=r;this.field=o;this.name="ApiError"}status;code;field;get reason(){let n=this.field?`${this.field}: `:"";return n&&this.message.startsWith(n)?this.message.slice(n.length):this.message}};async function pr(e){let t=await e.text().catch(()=>""),n;try{n=JSON.parse(t)}catch{n=void 0}let r=tr.safeParse(n);return r.success?new M(e.status,r.data.error,r.data.message,r.data.field):new M(e.status,"HTTP",`the server answered ${e.status} ${e.statusText}`)}async function dr(e,t){try{return await fetch(e,t)}catch{throw new M(0,"NETWORK","the server cannot be reached; check the connection and retry")}}async function fr(e,t){let n=await dr(`${lr}/session`,{method:"POST",headers:{"content-type":"application/json"},body:JSON.stringify({user:e,password:t})});if(!n.ok)throw await pr(n);return er.parse(await n.json()).token}var He=class{constructor(t,n,r){this.token=t;this.userId=n;this.onUnauthorized=r}token;userId;onUnauthorized;async#e(t,n,r){let i={authorization:`Bearer ${this.token}`};r!==void 0&&(i["content-type"]="application/json");let o=await dr(`${lr}${n}`,{method:t,headers:i,body:r===void 0?void 0:JSON.stringify(r)});if(o.status===401&&this.onUnauthorized(),!o.ok)throw await pr(o);return o}async#n(t,n,r,i){let o=await this.#e(n,r,i),s=t.safeParse(await o.json());if(!s.success)throw new M(o.status,"SHAPE",`unexpected answer from ${n} ${r}`);return s.data}get#t(){return`/users/${encodeURIComponent(this.userId)}`}async check(){await this.#e("GET",this.#t)}profile(){return this.#n(Mt,"GET",this.#t)}patchProfile(t){return this.#n(Mt,"PATCH",this.#t,t)}voicemail(){return this.#n(nr,"GET",`${this.#t}/voicemail`)}markRead(t){let n=`${this.#t}/voicemail/${encodeURIComponent(t)}`;return this.#n(At,"PATCH",n,{state:"saved"})}async deleteVoicemail(t){await this.#e("DELETE",`${this.#t}/voicemail/${encodeURIComponent(t)}`)}async audio(t){return(await this.#e("GET",`${this.#t}/voicemail/${encodeURIComponent(t)}/audio`)).blob()}mwi(){return this.#n(We,"GET",`${this.#t}/mwi`)}async setMwiEnabled(t,n){await this.#e("PUT",`${this.#t}/mwi/${encodeURIComponent(t)}`,{enabled:n})}},Tt="omnivox-session";function mr(){try{let e=sessionStorage.getItem(Tt);if(!e)return;let t=JSON.parse(e);if(typeof t=="object"&&t!==null&&"token"in t&&"userId"in t&&typeof t.token=="string"&&typeof t.userId=="string")return{token:t.token,userId:t.userId}}catch{}}function hr(e){sessionStorage.setItem(Tt,JSON.stringify(e))}function _r(){sessionStorage.removeItem(Tt)}var $r=function(e,t,n,r){var i;t[0]=0;for(var o=1;o<t.length;o++){var s=t[o++],c=t[o]?(t[0]|=s?1:2,n[t[o++]]):t[++o];s===3?r[0]=c:s===4?r[1]=Object.assign(r[1]||{},c):s===5?(r[1]=r[1]||{})[t[++o]]=c:s===6?r[1][t[++o]]+=c+"":s?(i=e.apply(c,$r(e,c,n,["",null])),r.push(i),c[0]?t[0]|=2:(t[o-2]=0,t[o]=i)):r.push(c)}return r},gr=new Map;function vr(e){var t=gr.get(this);return t||(t=new Map,gr.set(this,t)),(t=$r(this,t.get(e)||(t.set(e,t=(function(n){for(var r,i,o=1,s="",c="",u=[0],p=function(f){o===1&&(f||(s=s.replace(/^\s*\n\s*|\s*\n\s*$/g,"")))?u.push(0,f,s):o===3&&(f||s)?(u.push(3,f,s),o=2):o===2&&s==="..."&&f?u.push(4,f,0):o===2&&s&&!f?u.push(5,0,!0,s):o>=5&&((s||!f&&o===5)&&(u.push(o,0,s,i),o=6),f&&(u.push(o,f,0,i),o=6)),s=""},a=0;a<n.length;a++){a&&(o===1&&p(),p(a));for(var d=0;d<n[a].length;d++)r=n[a][d],o===1?r==="<"?(p(),u=[u],o=3):s+=r:o===4?s==="--"&&r===">"?(o=1,s=""):s=r+s[0]:c?r===c?c="":s+=r:r==='"'||r==="'"?c=r:r===">"?(p(),o=1):o&&(r==="="?(o=5,i=s,s=""):r==="/"&&(o<5||n[a][d+1]===">")?(p(),o===3&&(u=u[0]),o=u,(u=u[0]).push(2,0,o),o=0):r===" "||r==="	"||r===`
`||r==="\r"?(p(),o=2):s+=r),o===3&&s==="!--"&&(o=4,u=u[0])}return p(),u})(e)),t),arguments,[])).length>1?t:t[0]}var m=vr.bind(Ft);function br(e){let t=Math.max(0,Math.round(e/1e3)),n=Math.floor(t/60),r=t%60;return`${n}:${String(r).padStart(2,"0")}`}function ze(e){let t=new Date(e);return Number.isNaN(t.getTime())?e:t.toLocaleString(void 0,{dateStyle:"medium",timeStyle:"short"})}function ke(e,t){return t&&e?`${t} (${e})`:t??e??"unknown caller"}function Ge(e){let t=e.trim();return/^(tel|sips?):/i.test(t)?t:`tel:${t.replace(/[\s().-]/g,"")}`}var de=e=>`f-${e}`;function qe(e,t,n){let r=e.field?e.field.split("."):[];for(let i=r.length;i>0;i--){let o=r.slice(0,i).join(".");if(t?.querySelector(`[id="${de(o)}"]`))return{[o]:e.reason}}return{[n]:e.field?`${e.field}: ${e.reason}`:e.message}}var yr=e=>e.currentTarget.value;function V(e){return e.error?m`<p class="field-error" id=${`${de(e.path)}-err`} role="alert">
    ${e.error}
  </p>`:null}function Rt(e){return[e.error?`${de(e.path)}-err`:"",e.hint?`${de(e.path)}-hint`:""].filter(Boolean).join(" ")||void 0}function C(e){let t=de(e.path),n={id:t,name:e.path,value:e.value,"aria-invalid":e.error?"true":void 0,"aria-describedby":Rt(e),placeholder:e.placeholder,required:e.required,onInput:r=>e.onInput(yr(r))};return m`<div class="field">
    <label for=${t}>${e.label}</label>
    ${e.multiline?m`<textarea rows="3" ...${n}></textarea>`:m`<input
            type=${e.type??"text"}
            autocomplete=${e.autocomplete??"off"}
            inputmode=${e.inputmode}
            ...${n}
          />`}
    ${e.hint?m`<p class="hint" id=${`${t}-hint`}>${e.hint}</p>`:null}
    <${V} path=${e.path} error=${e.error} />
  </div>`}function ne(e){let t=de(e.path);return m`<div class="field">
    <label for=${t}>${e.label}</label>
    <select
      id=${t}
      name=${e.path}
      aria-invalid=${e.error?"true":void 0}
      aria-describedby=${Rt(e)}
      onChange=${n=>e.onChange(yr(n))}
    >
      ${e.options.map(n=>m`<option value=${n.value} selected=${n.value===e.value}>${n.label}</option>`)}
    </select>
    <${V} path=${e.path} error=${e.error} />
  </div>`}function Se(e){let t=de(e.path);return m`<div class="field check">
    <input
      type="checkbox"
      id=${t}
      name=${e.path}
      checked=${e.checked}
      aria-invalid=${e.error?"true":void 0}
      aria-describedby=${Rt(e)}
      onChange=${n=>e.onChange(n.currentTarget.checked)}
    />
    <label for=${t}>${e.label}</label>
    <${V} path=${e.path} error=${e.error} />
  </div>`}var Fo=500,Uo=1e4,Vo=2e3,Xe=class{constructor(t,n){this.token=t;this.handlers=n}token;handlers;#e;#n=0;#t;#o=!1;#r=new Set;start(){this.#o=!1,window.addEventListener("online",this.#i),this.#s()}stop(){this.#o=!0,window.removeEventListener("online",this.#i),clearTimeout(this.#t),this.#e?.close(1e3,"logout"),this.#e=void 0}send(t){return this.#e?.readyState!==WebSocket.OPEN?!1:(this.#e.send(JSON.stringify(t)),!0)}#i=()=>{this.#e||this.#o||(clearTimeout(this.#t),this.#n=0,this.#s())};#s(){this.#t=void 0,this.handlers.onState("connecting");let t=new URL(`/api/v1/stream?token=${encodeURIComponent(this.token)}`,location.href);t.protocol=t.protocol==="https:"?"wss:":"ws:";let n=new WebSocket(t);this.#e=n,n.onopen=()=>{this.#n=0,this.handlers.onState("open")},n.onmessage=r=>this.#a(n,r.data),n.onclose=()=>{this.#e===n&&(this.#e=void 0,this.#c())}}async#c(){if(this.#o)return;let t=Math.min(Uo,Fo*2**this.#n);this.#n+=1;let n=Math.round(t*(.5+Math.random()*.5));this.handlers.onState("waiting",n),this.#t=setTimeout(()=>this.#s(),n),await this.handlers.sessionGone().catch(()=>!1)&&this.stop()}#a(t,n){let r;try{r=JSON.parse(String(n))}catch{return}let i=ar.safeParse(r);if(i.success){this.handlers.onReply(i.data);return}let o=ur.safeParse(r);if(o.success&&(t.send(JSON.stringify({type:"ack",id:o.data.id})),!this.#r.has(o.data.id))){if(this.#r.add(o.data.id),this.#r.size>Vo){let s=this.#r.values().next().value;s!==void 0&&this.#r.delete(s)}this.handlers.onEvent(r)}}};function Bo(e){let t=~e&255,n=((t&15)<<3)+132<<((t&112)>>4);return(t&128?132-n:n-132)/32768}function Ko(e){let t=e^85,n=(t&112)>>4,r=(t&15)<<4;return r=n===0?r+8:n===1?r+264:r+264<<n-1,(t&128?r:-r)/32768}function Wo(e){let t=new DataView(e.buffer,e.byteOffset,e.byteLength),n=o=>String.fromCharCode(...e.subarray(o,o+4));if(e.length<12)return;if(n(0)!=="RIFF"||n(8)!=="WAVE")throw new Error("the screening stream is not WAV");let r=12,i;for(;r+8<=e.length;){let o=n(r),s=t.getUint32(r+4,!0);if(o==="data"){if(!i)throw new Error("the screening stream has no fmt chunk");return{format:i,dataAt:r+8}}if(r+8+s>e.length)return;if(o==="fmt "){let c=t.getUint16(r+8,!0),u=t.getUint16(r+22,!0);if(i={tag:c,channels:t.getUint16(r+10,!0),rate:t.getUint32(r+12,!0),bytesPerSample:u/8},!(c===1&&u===16||(c===6||c===7)&&u===8))throw new Error(`the screening stream's audio (format ${c}, ${u} bit) is not playable`)}r+=8+s+(s&1)}}var Je=class{constructor(t,n){this.url=t;this.token=n;this.#t=this.#e.createMediaStreamDestination(),this.#n=this.#e.createAnalyser(),this.#n.fftSize=512,this.#n.connect(this.#t),this.stream=this.#t.stream}url;token;stream;#e=new AudioContext;#n;#t;#o=new AbortController;#r=0;received=0;async run(){let t=await fetch(this.url,{headers:{authorization:`Bearer ${this.token}`},signal:this.#o.signal});if(!t.ok||!t.body)throw new Error(`the recording cannot be heard (HTTP ${t.status})`);let n=t.body.getReader(),r=new Uint8Array(0),i;for(;;){let{done:o,value:s}=await n.read();if(o)return;let c=new Uint8Array(r.length+s.length);if(c.set(r),c.set(s,r.length),r=c,!i){if(i=Wo(r),!i)continue;r=r.subarray(i.dataAt)}let u=i.format.bytesPerSample*i.format.channels,p=r.length-r.length%u;p>0&&this.#i(i.format,r.subarray(0,p)),r=r.slice(p)}}level(){let t=new Float32Array(this.#n.fftSize);this.#n.getFloatTimeDomainData(t);let n=0;for(let r of t)n+=r*r;return Math.min(1,Math.sqrt(n/t.length)*4)}stop(){this.#o.abort(),this.#e.close()}#i(t,n){let r=n.length/(t.bytesPerSample*t.channels),i=this.#e.createBuffer(1,r,t.rate),o=i.getChannelData(0),s=new DataView(n.buffer,n.byteOffset,n.byteLength);for(let p=0;p<r;p++){let a=p*t.bytesPerSample*t.channels,d=n[a]??0;o[p]=t.tag===1?s.getInt16(a,!0)/32768:t.tag===7?Bo(d):Ko(d)}let c=this.#e.createBufferSource();c.buffer=i,c.connect(this.#n);let u=this.#e.currentTime;this.#r<u&&(this.#r=u+.15),c.start(this.#r),this.#r+=i.duration,this.received+=i.duration}};var Ho={ringing:"Ringing",recording:"Leaving a message",forwarded:"Forwarded","taken-over":"Taken over",ended:"Ended"};function Go(e){let t=e?Date.parse(e):Number.NaN,n=()=>Math.max(0,Math.ceil((t-Date.now())/1e3)),[r,i]=y(Number.isNaN(t)?void 0:n());return L(()=>{if(Number.isNaN(t))return;let o=setInterval(()=>i(n()),250);return()=>clearInterval(o)},[t]),r}function xr(e){let[t,n]=y("");return m`<form
    class="inline"
    onSubmit=${r=>{r.preventDefault(),t.trim()&&e.onSubmit(Ge(t))}}
  >
    <label for=${e.id}>${e.label}</label>
    <input id=${e.id} type="tel" autocomplete="tel" required value=${t}
      onInput=${r=>n(r.currentTarget.value)} />
    <button type="submit">${e.button}</button>
  </form>`}function qo(e){let t=W(null),[n,r]=y(0),[i,o]=y(0),[s,c]=y("connecting\u2026");return L(()=>{let u=new Je(e.url,e.token),p=t.current;p&&(p.srcObject=u.stream,p.play().catch(()=>c("press play to listen"))),c("live"),u.run().then(()=>c("the message has ended"),d=>{d instanceof Error&&d.name!=="AbortError"&&c(d.message)});let a=setInterval(()=>{r(u.level()),o(Math.round(u.received*1e3))},200);return()=>{clearInterval(a),u.stop()}},[e.url,e.token]),m`<div class="screening">
    <audio ref=${t} controls aria-label=${`Live message from ${e.who}`} data-testid="screening"
      data-received-ms=${i}></audio>
    <div class="row">
      <meter min="0" max="1" value=${n} aria-label="Caller's voice level"></meter>
      <span class="status" role="status">${s}</span>
      <button type="button" onClick=${e.onStop}>Stop listening</button>
    </div>
  </div>`}function Xo(e){let{alert:t,state:n}=e.call,r=t.callId,i=Go(t.decideBy),[o,s]=y(""),[c,u]=y(!1),p=n==="ringing",a=ke(t.from.ani,t.from.name),d=`call-${r}-title`;return m`<section class="card call" aria-labelledby=${d} data-testid="call-alert">
    <h2 id=${d}>Incoming call from <span class="call-from">${a}</span></h2>
    <p class="muted">
      to ${t.dnis} · <span class="call-state" role="status">${Ho[n]}</span>
      ${p&&i!==void 0?m` · <span class="countdown">voicemail in ${i} s</span>`:null}
      ${e.call.requested?m` · ${e.call.requested}`:null}
    </p>
    ${p?m`<div class="call-actions">
            <button type="button" class="primary"
              onClick=${()=>e.act(r,{type:"call-action",callId:r,action:"voicemail"},"sending to voicemail\u2026")}>
              Send to voicemail
            </button>
            <${xr} id=${`call-${r}-forward`} label="Forward to number" button="Forward"
              onSubmit=${f=>e.act(r,{type:"call-action",callId:r,action:"forward",to:f},`forwarding to ${f}\u2026`)} />
            <form class="inline"
              onSubmit=${f=>{f.preventDefault(),o.trim()&&e.act(r,{type:"call-action",callId:r,action:"reply",text:o.trim()},"replying\u2026")}}>
              <label for=${`call-${r}-reply`}>Reply text (spoken to the caller)</label>
              <input id=${`call-${r}-reply`} required value=${o}
                onInput=${f=>s(f.currentTarget.value)} />
              <button type="submit">Reply with text</button>
            </form>
          </div>`:null}
    ${n==="recording"?m`<div class="call-actions">
            ${e.call.screenUrl?c?m`<${qo} url=${e.call.screenUrl} token=${e.api.token} who=${a}
                      onStop=${()=>u(!1)} />`:m`<button type="button" class="primary" onClick=${()=>u(!0)}>
                      Listen live
                    </button>`:null}
            <${xr} id=${`call-${r}-takeover`} label="Take the call at number" button="Take over"
              onSubmit=${f=>e.act(r,{type:"call-action",callId:r,action:"takeover",to:f},`taking over at ${f}\u2026`)} />
          </div>`:null}
    ${n==="ended"||n==="forwarded"||n==="taken-over"?m`<button type="button" onClick=${()=>e.onDismiss(r)}>Dismiss</button>`:null}
  </section>`}function wr(e){return e.calls.length===0?null:m`<div class="calls" aria-live="assertive">
    ${e.calls.map(t=>m`<${Xo} key=${t.alert.callId} call=${t} api=${e.api}
        act=${e.act} onDismiss=${e.onDismiss} />`)}
  </div>`}var Jo=[{id:"voicemail",label:"Voicemail"},{id:"messages",label:"Messages"},{id:"profile",label:"Profile"}];function Yo(e,t){return e==="open"?"connected":e==="connecting"?"connecting\u2026":`offline, retrying in ${Math.max(1,Math.round((t??0)/1e3))} s`}function zr(e){let t=e.mwi?.total,n=(t?.new??0)>0,r=t?`${t.new} new, ${t.old} saved voicemail messages`:"message waiting not known yet";return m`<header class="top">
    <div class="brand">
      <strong>omnivox</strong>
      <span class="user">${e.userId}</span>
    </div>
    <div class=${`mwi-badge${n?" waiting":""}`} role="status" aria-label=${r}>
      <span aria-hidden="true" class="lamp"></span>
      <span data-testid="mwi-new">${t?t.new:"\u2013"}</span>
      <span class="mwi-word" aria-hidden="true">new</span>
    </div>
    <p class=${`conn ${e.stream.state}`} role="status" data-testid="connection">
      ${Yo(e.stream.state,e.stream.retryInMs)}
    </p>
    <button type="button" class="link" onClick=${e.onLogout}>Log out</button>
    <nav aria-label="Screens" class="tabs">
      ${Jo.map(i=>m`<button
          type="button"
          aria-current=${e.screen===i.id?"page":void 0}
          onClick=${()=>e.onScreen(i.id)}
        >
          ${i.label}
        </button>`)}
    </nav>
  </header>`}var kr=[{value:"email",label:"Email address"},{value:"phone",label:"Phone number"},{value:"xmpp",label:"XMPP address"}],Qo={email:"bob@example.net",phone:"+15550100",xmpp:"bob@chat.example.net"};function ei(e,t){let n=t.trim();if(e==="phone")return Ge(n);let r=e==="email"?"mailto:":"xmpp:";return n.startsWith(r)?n:`${r}${n}`}function ti(e){let[t,n]=y("email"),[r,i]=y(""),[o,s]=y(""),[c,u]=y(""),[p,a]=y(),[d,f]=y({}),[l,h]=y("");return L(()=>{let _=e.reply;if(!_||!p||_.requestId!==p)return;if(a(void 0),_.type==="sent"){h("Sent."),i(""),s(""),u("");return}let v=_.field==="to"||_.field==="text"||_.field==="subject"?_.field:"send",b=`${_.field}: `;f({[v]:_.message.startsWith(b)?_.message.slice(b.length):_.message}),h("")},[e.reply,p]),m`<form class="card send" onSubmit=${_=>{_.preventDefault(),f({});let v=crypto.randomUUID(),b={type:"send",to:ei(t,r),text:c,requestId:v};if(t==="email"&&o.trim()&&(b.subject=o.trim()),!e.send(b)){f({send:"Not connected: the message was not sent. Try again when connected."});return}a(v),h("Sending\u2026")}} aria-labelledby="send-title">
    <h2 id="send-title">Send a message</h2>
    <${ne}
      path="kind"
      label="Send to"
      value=${t}
      options=${kr}
      onChange=${_=>n(_)}
    />
    <${C}
      path="to"
      label=${kr.find(_=>_.value===t)?.label??"Address"}
      value=${r}
      onInput=${i}
      type=${t==="phone"?"tel":t==="email"?"email":"text"}
      placeholder=${Qo[t]}
      error=${d.to}
      required
    />
    ${t==="email"?m`<${C}
            path="subject"
            label="Subject"
            value=${o}
            onInput=${s}
            error=${d.subject}
          />`:null}
    <${C}
      path="text"
      label="Message"
      value=${c}
      onInput=${u}
      multiline
      required
      error=${d.text}
    />
    <div class="row">
      <button type="submit" class="primary" disabled=${p!==void 0}>Send</button>
      <span class="status" role="status">${l}</span>
    </div>
    ${d.send?m`<p class="field-error" role="alert">${d.send}</p>`:null}
  </form>`}function Sr(e){return m`<div class="screen two-col">
    <section aria-labelledby="msg-title" class="col-main">
      <h2 id="msg-title">Messages</h2>
      ${e.messages.length===0?m`<p class="muted">No messages yet. New ones appear here as they arrive.</p>`:m`<ol class="list" aria-live="polite">
              ${e.messages.map(t=>m`<li key=${t.id} class="card msg" data-testid="message">
                  <div class="msg-head">
                    <strong class="msg-from">${t.from}</strong>
                    <time class="muted" datetime=${t.receivedAt}>${ze(t.receivedAt)}</time>
                  </div>
                  ${t.subject?m`<p class="msg-subject">${t.subject}</p>`:null}
                  <p class="msg-text">${t.text}</p>
                  ${t.audioUrl?m`<a href=${t.audioUrl} target="_blank" rel="noopener">Recording</a>`:null}
                </li>`)}
            </ol>`}
    </section>
    <aside class="col-side"><${ti} send=${e.send} reply=${e.reply} /></aside>
  </div>`}function Zr(e){return m`<fieldset class="list-edit" id=${`f-${e.path}`}>
    <legend>${e.title}</legend>
    ${e.items.map((t,n)=>m`<div class="row item" key=${n}>
        <${C}
          path=${`${e.path}.${n}`}
          label=${`${e.noun[0]?.toUpperCase()}${e.noun.slice(1)} ${n+1}`}
          value=${t}
          type=${e.type}
          placeholder=${e.placeholder}
          error=${e.errors[`${e.path}.${n}`]}
          onInput=${r=>e.edit(i=>{i[e.path][n]=r})}
        />
        <button
          type="button"
          class="remove"
          aria-label=${`Remove ${e.noun} ${n+1}`}
          onClick=${()=>e.edit(r=>{r[e.path].splice(n,1)})}
        >
          Remove
        </button>
      </div>`)}
    ${e.errors[e.path]?m`<p class="field-error" role="alert">${e.errors[e.path]}</p>`:null}
    <button type="button" onClick=${()=>e.edit(t=>{t[e.path].push("")})}>
      Add ${e.noun}
    </button>
  </fieldset>`}function Pr(e){return m`<div class="group">
    <${C}
      path="displayName"
      label="Display name"
      value=${e.draft.displayName}
      autocomplete="name"
      error=${e.errors.displayName}
      onInput=${t=>e.edit(n=>{n.displayName=t})}
    />
    <${Zr}
      path="phones"
      noun="phone number"
      title="Phone numbers"
      items=${e.draft.phones}
      errors=${e.errors}
      edit=${e.edit}
      type="tel"
      placeholder="+15550100"
    />
    <${Zr}
      path="emails"
      noun="email address"
      title="Email addresses"
      items=${e.draft.emails}
      errors=${e.errors}
      edit=${e.edit}
      type="email"
      placeholder="alice@example.com"
    />
  </div>`}var ni=[{value:"*",label:"anything else"},...Yn.map(e=>({value:e,label:e}))],ri=[{value:"",label:"default"},{value:"wav",label:"WAV"},{value:"mp3",label:"MP3"}];function oi(e){let{r:t,i:n}=e,r=`routes.${n}`,i=s=>e.edit(c=>{let u=c.routes[n];u&&s(u)}),o=(s,c)=>i(u=>{c===""?delete u[s]:u[s]=c});return m`<fieldset class="item-edit" id=${`f-${r}`}>
    <legend>Route ${n+1}</legend>
    <${ne} path=${`${r}.from`} label="From" value=${t.from} options=${ni}
      error=${e.errors[`${r}.from`]}
      onChange=${s=>i(c=>{c.from=s})} />
    <fieldset class="targets" id=${`f-${r}.to`}
      aria-describedby=${e.errors[`${r}.to`]?`f-${r}.to-err`:void 0}>
      <legend>To</legend>
      ${Qn.map(s=>m`<label class="check-inline" key=${s}>
          <input type="checkbox" name=${`${r}.to`} value=${s} checked=${t.to.includes(s)}
            onChange=${c=>{let u=c.currentTarget.checked;i(p=>{p.to=u?[...p.to.filter(a=>a!==s),s]:p.to.filter(a=>a!==s)})}} />
          ${s}
        </label>`)}
    </fieldset>
    <${V} path=${`${r}.to`} error=${e.errors[`${r}.to`]} />
    <${Se} path=${`${r}.transcribe`} label="Transcribe voice" checked=${t.transcribe??!1}
      error=${e.errors[`${r}.transcribe`]}
      onChange=${s=>i(c=>{c.transcribe=s})} />
    <${ne} path=${`${r}.audioFormat`} label="Audio format" value=${t.audioFormat??""}
      options=${ri} error=${e.errors[`${r}.audioFormat`]}
      onChange=${s=>i(c=>{s==="wav"||s==="mp3"?c.audioFormat=s:delete c.audioFormat})} />
    <${C} path=${`${r}.voice`} label="TTS voice" value=${t.voice??""}
      error=${e.errors[`${r}.voice`]} onInput=${s=>o("voice",s)} />
    <${C} path=${`${r}.language`} label="Language" value=${t.language??""}
      placeholder="en-US" hint="BCP 47 tag, for speech in both directions"
      error=${e.errors[`${r}.language`]} onInput=${s=>o("language",s)} />
    <div class="row">
      <button type="button" aria-label=${`Move route ${n+1} up`} disabled=${n===0}
        onClick=${()=>e.edit(s=>{let[c]=s.routes.splice(n,1);c&&s.routes.splice(n-1,0,c)})}>Up</button>
      <button type="button" class="remove" aria-label=${`Remove route ${n+1}`}
        onClick=${()=>e.edit(s=>{s.routes.splice(n,1)})}>Remove</button>
    </div>
  </fieldset>`}function Er(e){return m`<div class="group">
    <h3>Routes</h3>
    <p class="hint">
      The first route whose “from” matches decides; without one, the defaults apply (voice to
      email and IM, email to IM, IM to email).
    </p>
    ${e.routes.map((t,n)=>m`<${oi} key=${n} r=${t} i=${n} errors=${e.errors} edit=${e.edit} />`)}
    <button type="button" onClick=${()=>e.edit(t=>{t.routes.push({from:"*",to:["email"]})})}>
      Add route
    </button>
  </div>`}function Cr(e){let[t,n]=y(""),[r,i]=y(""),[o,s]=y(""),[c,u]=y({}),[p,a]=y(""),d=W(null);return m`<form class="card" ref=${d} onSubmit=${async l=>{if(l.preventDefault(),u({}),a(""),r!==o){u({confirm:"does not match the new password"});return}let h={};if(t&&(h.pin=t),r&&(h.password=r),!h.pin&&!h.password){u({security:"Enter a new PIN or a new password."});return}try{await e.api.patchProfile(h),n(""),i(""),s(""),a(h.pin&&h.password?"PIN and password changed.":h.pin?"PIN changed.":"Password changed.")}catch($){$ instanceof M?u(qe($,d.current,"security")):u({security:"the change failed; try again"})}}} aria-labelledby="sec-title">
    <h2 id="sec-title">PIN and password</h2>
    <${C} path="pin" label="New PIN" value=${t} onInput=${n} type="password"
      inputmode="numeric" autocomplete="off" hint="4–12 digits, for the mailbox by phone"
      error=${c.pin} />
    <${C} path="password" label="New password" value=${r} onInput=${i}
      type="password" autocomplete="new-password" hint="at least 8 characters" error=${c.password} />
    <${C} path="confirm" label="Repeat new password" value=${o} onInput=${s}
      type="password" autocomplete="new-password" error=${c.confirm} />
    <div class="row">
      <button type="submit" class="primary">Change</button>
      <span class="status" role="status">${p}</span>
    </div>
    <${V} path="security" error=${c.security} />
  </form>`}var ii=[{value:"internal",label:"omnivox voicemail"},{value:"sip",label:"SIP (MWI subscription)"},{value:"smdi",label:"SMDI station"}],si=[{value:"web",label:"Web client"},{value:"xmpp",label:"XMPP (Jabber)"}];function Ir(e,t){return t==="sip"?{id:e,kind:t,uri:""}:t==="smdi"?{id:e,kind:t,link:"",station:""}:{id:e,kind:"internal"}}function ci(e){let{s:t,i:n}=e,r=`voicemailSystems.${n}`,i=(s,c)=>e.edit(u=>{let p=u.voicemailSystems[n];p&&(p[s]=c===""&&s==="depositUri"?void 0:c)}),o=(s,c,u,p)=>m`<${C} path=${`${r}.${s}`} label=${c} value=${u??""} hint=${p}
      error=${e.errors[`${r}.${s}`]} onInput=${a=>i(s,a)} />`;return m`<fieldset class="item-edit" id=${`f-${r}`}>
    <legend>Voicemail system ${n+1}</legend>
    ${o("id","Name",t.id)}
    <${ne} path=${`${r}.kind`} label="Kind" value=${t.kind} options=${ii}
      error=${e.errors[`${r}.kind`]}
      onChange=${s=>e.edit(c=>{c.voicemailSystems[n]=Ir(t.id,s)})} />
    ${t.kind==="sip"?o("uri","MWI URI",t.uri,"sip:box@pbx.example.net"):null}
    ${t.kind==="smdi"?o("link","SMDI link",t.link):null}
    ${t.kind==="smdi"?o("station","Station",t.station):null}
    ${t.kind!=="internal"?o("depositUri","Deposit URI (optional)",t.depositUri):null}
    ${e.mwi?m`<div class="field check">
            <input type="checkbox" id=${`f-mwiEnabled.${t.id}`} checked=${e.mwi.enabled}
              aria-describedby=${e.errors[`mwiEnabled.${t.id}`]?`f-mwiEnabled.${t.id}-err`:void 0}
              onChange=${s=>e.onMwi(t.id,s.currentTarget.checked)} />
            <label for=${`f-mwiEnabled.${t.id}`}>Message waiting from this system</label>
            ${e.errors[`mwiEnabled.${t.id}`]?m`<p class="field-error" role="alert" id=${`f-mwiEnabled.${t.id}-err`}>
                    ${e.errors[`mwiEnabled.${t.id}`]}
                  </p>`:null}
          </div>`:m`<p class="hint">Save the profile to switch message waiting for this system.</p>`}
    <button type="button" class="remove" aria-label=${`Remove voicemail system ${n+1}`}
      onClick=${()=>e.edit(s=>{s.voicemailSystems.splice(n,1)})}>Remove</button>
  </fieldset>`}function ai(e){let{c:t,i:n}=e,r=`imClients.${n}`;return m`<fieldset class="item-edit" id=${`f-${r}`}>
    <legend>IM client ${n+1}</legend>
    <${C} path=${`${r}.id`} label="Name" value=${t.id} error=${e.errors[`${r}.id`]}
      onInput=${i=>e.edit(o=>{let s=o.imClients[n];s&&(s.id=i)})} />
    <${ne} path=${`${r}.kind`} label="Kind" value=${t.kind} options=${si}
      error=${e.errors[`${r}.kind`]}
      onChange=${i=>e.edit(o=>{o.imClients[n]=i==="xmpp"?{id:t.id,kind:"xmpp",jid:""}:{id:t.id,kind:"web"}})} />
    ${t.kind==="xmpp"?m`<${C} path=${`${r}.jid`} label="JID" value=${t.jid} error=${e.errors[`${r}.jid`]}
            placeholder="alice@chat.example.net"
            onInput=${i=>e.edit(o=>{let s=o.imClients[n];s?.kind==="xmpp"&&(s.jid=i)})} />`:null}
    <button type="button" class="remove" aria-label=${`Remove IM client ${n+1}`}
      onClick=${()=>e.edit(i=>{i.imClients.splice(n,1)})}>Remove</button>
  </fieldset>`}function Ar(e){let t=(n,r)=>{let i=r.length+1;for(;r.some(o=>o.id===`${n}${i}`);)i++;return`${n}${i}`};return m`<div class="group">
    <h3>Voicemail systems</h3>
    ${e.systems.map((n,r)=>m`<${ci} key=${r} s=${n} i=${r} errors=${e.errors} edit=${e.edit}
        mwi=${e.mwi?.systems.find(i=>i.id===n.id)} onMwi=${e.onMwi} />`)}
    <button type="button" onClick=${()=>e.edit(n=>{n.voicemailSystems.push(Ir(t("box",n.voicemailSystems),"sip"))})}>
      Add voicemail system
    </button>
    <h3>IM clients</h3>
    ${e.clients.map((n,r)=>m`<${ai} key=${r} c=${n} i=${r} errors=${e.errors} edit=${e.edit} />`)}
    <button type="button" onClick=${()=>e.edit(n=>{n.imClients.push({id:t("client",n.imClients),kind:"xmpp",jid:""})})}>
      Add IM client
    </button>
  </div>`}function ui(e){let{id:t,...n}=structuredClone(e);for(let r of n.voicemailSystems)r.kind!=="internal"&&!r.depositUri&&delete r.depositUri;return n.mwi.supplemental.text||delete n.mwi.supplemental.text,n}function li(e){let t=e.draft.mwi;return m`<div class="group" id="f-mwi">
    <h3>Message waiting indicators</h3>
    <${Se} path="mwi.enabled" label="Send indicators to my IM clients" checked=${t.enabled}
      error=${e.errors["mwi.enabled"]}
      onChange=${n=>e.edit(r=>{r.mwi.enabled=n})} />
    <${Se} path="mwi.supplemental.timestamp" label="Include the time of the last message"
      checked=${t.supplemental.timestamp} error=${e.errors["mwi.supplemental.timestamp"]}
      onChange=${n=>e.edit(r=>{r.mwi.supplemental.timestamp=n})} />
    <${C} path="mwi.supplemental.text" label="Supplemental text" value=${t.supplemental.text??""}
      hint="Shown with every indicator (a notice, up to 500 characters)"
      error=${e.errors["mwi.supplemental.text"]}
      onInput=${n=>e.edit(r=>{r.mwi.supplemental.text=n})} />
  </div>`}function Mr(e){let[t,n]=y(),[r,i]=y({}),[o,s]=y(""),[c,u]=y(!1),p=W(null);L(()=>{e.api.profile().then(n,l=>i({profile:l instanceof M?l.reason:"the profile could not be loaded"}))},[e.api]);let a=l=>n(h=>{if(!h)return h;let $=structuredClone(h);return l($),$}),d=async l=>{if(l.preventDefault(),!!t){u(!0),i({}),s("Saving\u2026");try{n(await e.api.patchProfile(ui(t))),s("Saved."),e.onMwiChanged()}catch(h){s(""),i(h instanceof M?qe(h,p.current,"profile"):{profile:"saving failed"})}finally{u(!1)}}},f=async(l,h)=>{let $=`mwiEnabled.${l}`;i(({[$]:_,...v})=>v);try{await e.api.setMwiEnabled(l,h)}catch(_){i(v=>({...v,[$]:_ instanceof M?_.reason:"not changed"}))}e.onMwiChanged()};return m`<div class="screen two-col profile">
    <form class="card col-main" ref=${p} onSubmit=${d} aria-labelledby="profile-title" novalidate>
      <h2 id="profile-title">Profile</h2>
      ${t?m`<${Pr} draft=${t} errors=${r} edit=${a} />
              <${Ar} systems=${t.voicemailSystems} clients=${t.imClients} mwi=${e.mwi}
                errors=${r} edit=${a} onMwi=${f} />
              <${li} draft=${t} errors=${r} edit=${a} />
              <${Er} routes=${t.routes} errors=${r} edit=${a} />
              <div class="row sticky-save">
                <button type="submit" class="primary" disabled=${c}>Save profile</button>
                <span class="status" role="status">${o}</span>
              </div>`:m`<p class="muted">Loading…</p>`}
      <${V} path="profile" error=${r.profile} />
    </form>
    <aside class="col-side"><${Cr} api=${e.api} /></aside>
  </div>`}var Tr=e=>e instanceof M?e.reason:"something went wrong; try again";function pi(e){let{vm:t}=e,[n,r]=y(),[i,o]=y(!1),[s,c]=y();L(()=>()=>n?URL.revokeObjectURL(n):void 0,[n]);let u=async d=>{o(!0),c(void 0);try{await d(),e.onChanged()}catch(f){c(Tr(f))}finally{o(!1)}},p=async()=>{c(void 0);try{r(URL.createObjectURL(await e.api.audio(t.id)))}catch(d){c(Tr(d))}},a=ke(t.from.ani);return m`<li class=${`vm card ${t.state}`} data-testid="voicemail" data-id=${t.id}>
    <div class="vm-head">
      <strong class="vm-caller">${a}</strong>
      ${t.state==="new"?m`<span class="tag new">new</span>`:null}
      ${t.urgent?m`<span class="tag urgent">urgent</span>`:null}
      <span class="vm-meta muted">
        <time datetime=${t.receivedAt}>${ze(t.receivedAt)}</time>${" \xB7 "}<span
          aria-label="duration"
          >${br(t.durationMs)}</span
        >
      </span>
    </div>
    ${t.transcript!==void 0?m`<p class="transcript">${t.transcript||m`<em class="muted">(no words recognised)</em>`}</p>`:null}
    <div class="vm-actions">
      ${n?m`<audio controls autoplay src=${n} aria-label=${`Voicemail from ${a}`}></audio>`:m`<button type="button" onClick=${p} aria-label=${`Play voicemail from ${a}`}>
              Play
            </button>`}
      ${t.state==="new"?m`<button
              type="button"
              disabled=${i}
              onClick=${()=>u(()=>e.api.markRead(t.id))}
              aria-label=${`Mark voicemail from ${a} read`}
            >
              Mark read
            </button>`:null}
      <button
        type="button"
        class="danger"
        disabled=${i}
        onClick=${()=>u(()=>e.api.deleteVoicemail(t.id))}
        aria-label=${`Delete voicemail from ${a}`}
      >
        Delete
      </button>
    </div>
    ${s?m`<p class="field-error" role="alert">${s}</p>`:null}
  </li>`}function di(e){let t=e.mwi;return m`<section class="card mwi" aria-labelledby="mwi-title">
    <h2 id="mwi-title">Message waiting</h2>
    ${t?m`<p class="mwi-total" data-testid="mwi-total">
            <strong>${t.total.new}</strong> new${t.total.urgentNew?` (${t.total.urgentNew} urgent)`:""},
            ${" "}<strong>${t.total.old}</strong> saved, across ${t.systems.length}
            ${t.systems.length===1?" system":" systems"}
          </p>`:m`<p class="mwi-total muted">Loading…</p>`}
    <ul class="systems">
      ${(t?.systems??[]).map(n=>m`<li key=${n.id} class=${n.enabled?"":"off"}>
          <span class="sys-id">${n.id}</span>
          <span class="sys-kind muted">${n.kind??""}</span>
          <span class="sys-counts">${n.enabled?`${n.new} new \xB7 ${n.old} saved`:"MWI off"}</span>
          ${n.lastCaller?m`<span class="sys-caller muted">
                  last: ${ke(n.lastCaller.ani)} · ${ze(n.lastCaller.at)}
                </span>`:null}
        </li>`)}
    </ul>
    ${t?.supplemental?.text?m`<p class="supplemental">${t.supplemental.text}</p>`:null}
  </section>`}function Rr(e){return m`<div class="screen two-col">
    <section aria-labelledby="vm-title" class="col-main">
      <div class="section-head">
        <h2 id="vm-title">Voicemail</h2>
        <button type="button" onClick=${e.onChanged}>Refresh</button>
      </div>
      ${e.error?m`<p class="field-error" role="alert">${e.error}</p>`:null}
      ${e.items===void 0?m`<p class="muted">Loading…</p>`:e.items.length===0?m`<p class="muted">No voicemail.</p>`:m`<ol class="list">
                ${e.items.map(t=>m`<${pi}
                    key=${t.id}
                    api=${e.api}
                    vm=${t}
                    onChanged=${e.onChanged}
                  />`)}
              </ol>`}
    </section>
    <aside class="col-side"><${di} mwi=${e.mwi} /></aside>
  </div>`}var fi=200;function Nr(e){let t=Ne(()=>new He(e.session.token,e.session.userId,e.onLogout),[e.session]),[n,r]=y("voicemail"),[i,o]=y({state:"connecting"}),[s,c]=y([]),[u,p]=y(),[a,d]=y(),[f,l]=y(),[h,$]=y(),[_,v]=y([]),b=W(void 0),P=W(0),k=W(-1),N=j(()=>{t.voicemail().then(w=>{l(w),$(void 0)},w=>$(w instanceof M?w.reason:"voicemail not loaded"))},[t]),Y=j(()=>{let w=P.current;t.mwi().then(x=>{P.current===w&&d(x)},()=>{})},[t]),re=j(w=>{if(w.type==="message"){let x=ir.safeParse(w);if(!x.success)return;c(T=>[x.data,...T].slice(0,fi)),x.data.audioUrl&&N()}else if(w.type==="mwi"){let x=We.safeParse(w);if(!x.success)return;let T=x.data.version;if(T!==void 0){if(T<k.current)return;k.current=T}P.current+=1,d(x.data),N()}else if(w.type==="call-alert"){let x=sr.safeParse(w);if(!x.success)return;v(T=>[...T.filter(K=>K.alert.callId!==x.data.callId),{alert:x.data,state:"ringing"}])}else if(w.type==="call-update"){let x=cr.safeParse(w);if(!x.success)return;v(T=>T.map(K=>K.alert.callId===x.data.callId?{...K,state:x.data.state,screenUrl:x.data.screenUrl??K.screenUrl,requested:void 0}:K))}},[N]);L(()=>{let w=new Xe(t.token,{onEvent:re,onReply:x=>{if(x.type==="error"&&x.callId!==void 0){let{callId:T,message:K}=x;v(Ye=>Ye.map(oe=>oe.alert.callId===T?{...oe,requested:K}:oe))}else p(x)},onState:(x,T)=>{o({state:x,retryInMs:T}),x==="open"&&(k.current=-1,Y(),N())},sessionGone:()=>t.check().then(()=>!1,x=>x instanceof M&&x.status===401)});return b.current=w,w.start(),()=>w.stop()},[t,re,Y,N]);let H=j(w=>b.current?.send(w)??!1,[]),Ze=j((w,x,T)=>{let K=b.current?.send(x)??!1;v(Ye=>Ye.map(oe=>oe.alert.callId===w?{...oe,requested:K?T:"not connected: not sent"}:oe))},[]),B=j(w=>v(x=>x.filter(T=>T.alert.callId!==w)),[]),G=j(()=>{N(),Y()},[N,Y]);return m`<div class="app">
    <${zr} userId=${e.session.userId} mwi=${a} stream=${i} screen=${n}
      onScreen=${r} onLogout=${e.onLogout} />
    <${wr} calls=${_} api=${t} act=${Ze} onDismiss=${B} />
    <main id="main">
      ${n==="voicemail"?m`<${Rr} api=${t} items=${f} error=${h} mwi=${a} onChanged=${G} />`:null}
      ${n==="messages"?m`<${Sr} messages=${s} send=${H} reply=${u} />`:null}
      ${n==="profile"?m`<${Mr} api=${t} mwi=${a} onMwiChanged=${Y} />`:null}
    </main>
  </div>`}function Or(e){let[t,n]=y(""),[r,i]=y(""),[o,s]=y(),[c,u]=y(!1);return m`<main class="login">
    <h1>omnivox</h1>
    <form onSubmit=${async a=>{a.preventDefault(),u(!0),s(void 0);try{let d=t.trim(),f=await fr(d,r);e.onLogin({token:f,userId:d})}catch(d){s(d instanceof M?d.reason:"login failed; try again"),u(!1)}}} aria-labelledby="login-title" class="card">
      <h2 id="login-title">Log in</h2>
      <${C}
        path="user"
        label="User"
        value=${t}
        onInput=${n}
        autocomplete="username"
        required
      />
      <${C}
        path="password"
        label="Password"
        type="password"
        value=${r}
        onInput=${i}
        autocomplete="current-password"
        required
      />
      <button type="submit" class="primary" disabled=${c}>Log in</button>
      <${V} path="login" error=${o} />
    </form>
  </main>`}function mi(){let[e,t]=y(mr),n=j(i=>{hr(i),t(i)},[]),r=j(()=>{_r(),t(void 0)},[]);return e?m`<${Nr} key=${e.token} session=${e} onLogout=${r} />`:m`<${Or} onLogin=${n} />`}var Lr=document.getElementById("app");Lr&&Gt(m`<${mi} />`,Lr);
